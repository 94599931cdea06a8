/** How the panel shows a moment: date and time to the second, in the reader's locale and zone. */
export const DATE_TIME: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
};

/** Dates as people read them, in their locale; null as a dash. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, DATE_TIME);
}

/** "3 min ago" style, for recent events. */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return '—';
  const p = ratio * 100;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p.toFixed(p > 99 ? 3 : 2)} %`;
}

export function formatTtl(ttl: number): string {
  if (ttl >= 86400 && ttl % 86400 === 0) return `${ttl} s (${ttl / 86400} d)`;
  if (ttl >= 3600 && ttl % 3600 === 0) return `${ttl} s (${ttl / 3600} h)`;
  if (ttl >= 60 && ttl % 60 === 0) return `${ttl} s (${ttl / 60} min)`;
  return `${ttl} s`;
}

/** `targets` → `Targets`, for a word that starts a heading or a column. */
export const capitalized = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
