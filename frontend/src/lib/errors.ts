import { ApiError } from '../api/client';

type PathSegment = PropertyKey | { key: PropertyKey };

/** `['resource_records', 0, 'content']` → `resource_records[0].content`, as the API names fields. */
export function formatPath(path: readonly PathSegment[] | undefined): string {
  let out = '';
  for (const seg of path ?? []) {
    const key = typeof seg === 'object' && seg !== null ? seg.key : seg;
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(body)';
}

/** Field path → reason, from an API error (or an empty map). */
export function fieldErrors(e: unknown): Record<string, string> {
  if (!(e instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const d of e.details) out[d.field] ??= d.reason;
  return out;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
