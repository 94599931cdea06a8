import { CONTENT_FIELDS, type RrsetDraft } from '../../lib/rrset';

/** The form's errors by field path (`resource_records[0].content[0]`, `meta.failover.timeout`). */
export type Errors = Record<string, string>;

/** What each section of the form gets: the draft, the errors, and a change of some of its fields. */
export interface SectionProps {
  d: RrsetDraft;
  errors: Errors;
  set: (patch: Partial<RrsetDraft>) => void;
}

/** The first error at or below a path prefix, e.g. any of `pickers[1].limit` for `pickers`. */
export const firstErrorUnder = (errors: Errors, prefix: string, unless?: (path: string) => boolean): string | undefined =>
  Object.entries(errors).find(([k]) => k.startsWith(prefix) && !unless?.(k))?.[1];

/** A readable name for an error's field path, for the summary at the top of the form. */
export function fieldLabel(path: string, d: RrsetDraft): string {
  const rec = /^resource_records\[(\d+)\](?:\.(content|meta|enabled)(?:\[(\d+)\]|\.(\w+)(?:\[\d+\])?)?)?$/.exec(path);
  if (rec) {
    const n = Number(rec[1]) + 1;
    if (rec[2] === 'content' && rec[3] !== undefined) {
      const f = d.type === 'TXT' ? 'Text' : CONTENT_FIELDS[d.type][Number(rec[3])]?.label;
      return `Record ${n}, ${f ?? 'value'}`;
    }
    if (rec[2] === 'meta' && rec[4]) return `Record ${n}, ${rec[4]}`;
    return `Record ${n}`;
  }
  if (path === 'resource_records') return 'Records';
  if (path.startsWith('meta.failover.'))
    return `Failover ${path.slice('meta.failover.'.length).replace(/^http_status_codes?(\[\d+\])?$/, 'expected status')}`;
  if (path === 'meta.failover') return 'Failover';
  if (path.startsWith('pickers')) return 'Balancing';
  if (path === 'ttl') return 'TTL';
  if (path === 'name') return 'Name';
  if (path === 'type') return 'Type';
  return path;
}
