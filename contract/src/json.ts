/** JSON.parse that answers undefined for what is not JSON: data read back from Redis is checked, never trusted to parse. */
export function safeJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An ISO time for ms since the epoch, or null when Date cannot hold it (a corrupt value). */
export function isoTime(ms: number): string | null {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
