import type { Content, RecordType, RrsetBody } from '@vigil/contract';

/**
 * Domain names in record content come back as they were sent: Gcore keeps them so, and its clients
 * compare what they read with what they wrote (the Go SDK's DeleteRRSetRecord matches the content
 * string, DNSControl reads a target without its trailing dot as relative to the zone, Terraform
 * plans a change). Vigil serves and compares the canonical form (lower case, no trailing dot); the
 * form sent is kept beside it, in `content_as_sent`, only where the two differ.
 */
const NAME_FIELDS: Partial<Record<RecordType, number>> = { CNAME: 0, NS: 0, PTR: 0, MX: 1, SRV: 3, SVCB: 1, HTTPS: 1 };

type StoredRecord = RrsetBody['resource_records'][number] & { content_as_sent?: Content };

/** `canonical` (checked, same order as `sent`) with each name kept as sent where it differs. */
export function keepNamesAsSent(
  type: RecordType,
  sent: RrsetBody['resource_records'],
  canonical: RrsetBody['resource_records'],
): RrsetBody['resource_records'] {
  const at = NAME_FIELDS[type];
  if (at === undefined) return canonical;
  return canonical.map((rec, i): StoredRecord => {
    const name = sent[i]?.content[at];
    if (typeof name !== 'string' || name === rec.content[at]) return rec;
    return { ...rec, content_as_sent: rec.content.map((v, j) => (j === at ? name : v)) };
  });
}

/** A stored record as the API shows it: its content as sent, without the stored copy. */
export function recordAsSent(rec: RrsetBody['resource_records'][number]): RrsetBody['resource_records'][number] {
  const { content_as_sent: asSent, ...rest } = rec as StoredRecord;
  return asSent ? { ...rest, content: asSent } : rest;
}
