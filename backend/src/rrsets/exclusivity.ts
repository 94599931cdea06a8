import { RECORD_TYPES } from '@vigil/contract';

// A CNAME is alone at its name (RFC 1034 §3.6.2) and never at the apex: the one statement of the
// rule, for changes that span many record sets (batches, imports) and for one record set's write.

export const APEX_CNAME = 'a CNAME cannot be at the zone apex, which holds the SOA and NS records';

/** The types each name will hold: what it holds, less what is deleted, plus what is written. */
export function typesAfter(
  present: readonly { name: string; type: string }[],
  deleted: readonly { name: string; type: string }[],
  written: readonly { name: string; type: string }[],
): Map<string, Set<string>> {
  const types = new Map<string, Set<string>>();
  const at = (name: string) => types.get(name) ?? types.set(name, new Set()).get(name)!;
  for (const r of present) at(r.name).add(r.type);
  for (const r of deleted) types.get(r.name)?.delete(r.type);
  for (const r of written) at(r.name).add(r.type);
  return types;
}

/** Why `name` may not hold these types, or null. */
export function cnameConflict(name: string, types: ReadonlySet<string> | undefined): string | null {
  if (!types?.has('CNAME') || types.size < 2) return null;
  const others = [...types].filter((t) => t !== 'CNAME').join(', ');
  return `${name} would have a CNAME beside ${others}; a CNAME must be the only record set at its name`;
}

/** The types that may not be at a name beside `type`: every other one beside a CNAME, a CNAME beside any other. */
export function typesForbiddenBeside(type: string): string[] {
  return type === 'CNAME' ? RECORD_TYPES.filter((t) => t !== 'CNAME') : ['CNAME'];
}

/** Why a record set of `key.type` may not be written beside `others` (which typesForbiddenBeside refused). */
export function exclusivityReason(key: { name: string; type: string }, others: readonly string[]): string {
  return key.type === 'CNAME'
    ? `${key.name} already has ${others.join(', ')} records; a CNAME must be the only record set at its name`
    : `${key.name} has a CNAME record set, which must be the only record set at its name`;
}
