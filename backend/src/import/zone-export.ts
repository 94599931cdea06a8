// A zone written as a BIND master file (RFC 1035 §5.1), pure and I/O-free: what
// GET /v2/zones/{zone}/export answers, and what the import route reads back.
import { type Content, type Soa, svcParamText } from '@vigil/contract';
import { CANDIDATE_MARKER, DISABLED_MARKER } from './zone-file';

export interface ExportedRrset {
  name: string;
  type: string;
  ttl: number;
  resource_records: { content: Content; enabled: boolean }[];
  /** Failover, pickers or per-record meta: what a zone file cannot carry. */
  dynamic: boolean;
}

const fqdn = (name: string) => (name === '.' ? '.' : `${name}.`);

/**
 * A character-string (RFC 1035 §5.1): quoted, with `"` and `\` escaped, and every byte outside
 * printable ASCII as \DDD (UTF-8 text byte by byte): a zone file is ASCII, and Knot's loader
 * refuses other bytes (BIND takes them).
 */
function quoted(text: string): string {
  let out = '"';
  for (const b of Buffer.from(text)) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b < 0x20 || b >= 0x7f) out += `\\${String(b).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}

/** A TXT string as character-strings of at most 255 bytes, cut between characters. */
function txtStrings(text: string): string[] {
  if (text === '') return ['""'];
  const parts: string[] = [];
  let part = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > 255) {
      parts.push(quoted(part));
      part = '';
      bytes = 0;
    }
    part += ch;
    bytes += n;
  }
  parts.push(quoted(part));
  return parts;
}

/** One record's rdata in presentation form. */
export function rdataText(type: string, content: Content): string {
  const c = content.map(String);
  switch (type) {
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return fqdn(c[0]!);
    case 'MX':
      return `${c[0]} ${fqdn(c[1]!)}`;
    case 'SRV':
      return `${c[0]} ${c[1]} ${c[2]} ${fqdn(c[3]!)}`;
    case 'CAA':
      return `${c[0]} ${c[1]} ${quoted(c[2]!)}`;
    case 'TXT':
      return c.flatMap(txtStrings).join(' ');
    case 'SVCB':
    case 'HTTPS':
      return [c[0], fqdn(c[1]!), ...content.slice(2).map((p) => svcParamText(p as (string | number)[]))].join(' ');
    default:
      return c.join(' ');
  }
}

/**
 * The zone file: the SOA first, then every record set by name and type, one line per record
 * with its absolute owner and TTL, so the file reads the same whatever $ORIGIN a reader assumes.
 */
export function exportZoneFile(zone: { name: string; version: number; soa: Soa }, rrsets: readonly ExportedRrset[]): string {
  const s = zone.soa;
  const lines = [
    `; Zone ${zone.name}, exported by Vigil at version ${zone.version} (serial ${s.serial}).`,
    '; A zone file has no place for failover checks, pickers or record meta (geo, weights, backup);',
    '; importing this file back into this zone keeps the ones the zone has.',
    `; Disabled records follow "${DISABLED_MARKER.trim()}", which other servers read as a comment, and so do`,
    `; a CNAME's candidate targets after the first (failover or pickers choose one) after "${CANDIDATE_MARKER.trim()}".`,
    `$ORIGIN ${fqdn(zone.name)}`,
    `${fqdn(zone.name)} ${s.ttl} IN SOA ${fqdn(s.mname)} ${fqdn(s.rname)} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`,
  ];
  const sorted = [...rrsets].sort((a, b) => (a.name === b.name ? (a.type < b.type ? -1 : 1) : a.name < b.name ? -1 : 1));
  for (const r of sorted) {
    if (r.dynamic) lines.push(`; ${r.name} ${r.type}: failover, pickers or record meta set in Vigil`);
    // A name has one CNAME: the first enabled target is the record, the rest are candidates.
    let plain = 0;
    for (const rec of r.resource_records) {
      const line = `${fqdn(r.name)} ${r.ttl} IN ${r.type} ${rdataText(r.type, rec.content)}`;
      if (!rec.enabled) lines.push(`${DISABLED_MARKER}${line}`);
      else lines.push(r.type === 'CNAME' && plain++ > 0 ? `${CANDIDATE_MARKER}${line}` : line);
    }
  }
  return `${lines.join('\n')}\n`;
}
