// What a zone file asks of a zone: its records grouped into Vigil's record sets, each checked by
// the contract's rules, with every problem tied to its line. Pure; the service applies the plan.
import {
  checkRrsetForType,
  contentKey,
  isInZone,
  isRecordType,
  isSvcbType,
  normalizeName,
  parseContent,
  parseSvcParamText,
  type RecordType,
  type RrsetBody,
  RrsetBodySchema,
} from '@vigil/contract';
import type { FileRecord, LineIssue } from './zone-file';

export interface ImportedRrset {
  name: string;
  type: RecordType;
  /** The file's line of each record, in order. */
  lines: number[];
  body: RrsetBody;
}

export interface ImportPlan {
  rrsets: ImportedRrset[];
  /** Records the file has that Vigil does not take from it (the SOA, the apex NS, other types). */
  skipped: number;
  errors: LineIssue[];
  warnings: ImportWarning[];
}

/** Something the import did otherwise than the file says, about one record of it. */
export interface ImportWarning {
  line: number;
  /** The record's owner (as written when it is not a valid name) and type. */
  name: string;
  type: string;
  /** `line N: …`, the whole sentence. */
  text: string;
}

/**
 * Warnings in Gcore's answer shape (its Go SDK decodes `map[string]map[string]string`): owner
 * name → record type → what happened, the sentences of one name and type joined.
 */
export function warningsByRecord(warnings: readonly ImportWarning[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const w of warnings) {
    const byType = (out[w.name] ??= {});
    byType[w.type] = byType[w.type] === undefined ? w.text : `${byType[w.type]}; ${w.text}`;
  }
  return out;
}

/** Fields of a record's presentation form, for the types Vigil serves; a string says what is wrong. */
function content(type: RecordType, rdata: string[]): unknown[] | string {
  // TXT and CAA values are character strings; every other field is one token.
  if (type === 'CAA' && rdata.length >= 3) return [rdata[0], rdata[1], rdata.slice(2).join(' ')];
  if (isSvcbType(type)) {
    const params = [];
    for (const text of rdata.slice(2)) {
      const p = parseSvcParamText(text);
      if (!p.ok) return p.reason;
      params.push(p.param);
    }
    return [...rdata.slice(0, 2), ...params];
  }
  return rdata;
}

/** The file's records of one name and type, column by column. */
interface Group {
  name: string;
  type: RecordType;
  ttl: number;
  lines: number[];
  contents: unknown[][];
  enabled: boolean[];
  marked: boolean[];
  keys: Set<string>;
}

type Warn = (r: { line: number; type: string }, name: string, text: string) => void;

/** What the zone has at a name and type that the file cannot carry: the record set's pickers and meta. */
export type HeldRrset = Pick<RrsetBody, 'pickers' | 'meta'>;

/** A CNAME record set may hold several (candidate) targets only with failover or pickers. */
const holdsCandidates = (held: HeldRrset | undefined) => held !== undefined && (held.meta.failover != null || held.pickers.length > 0);

export function planImport(
  records: FileRecord[],
  zone: string,
  held: (name: string, type: RecordType) => HeldRrset | undefined = () => undefined,
): ImportPlan {
  const errors: LineIssue[] = [];
  const warnings: ImportWarning[] = [];
  const warn: Warn = (r, name, text) => warnings.push({ line: r.line, name, type: r.type, text: `line ${r.line}: ${text}` });
  let skipped = 0;
  const groups = new Map<string, Group>();

  for (const r of records) {
    const n = normalizeName(r.name, { allowWildcard: true });
    if (!n.ok) {
      errors.push({ line: r.line, reason: `owner ${r.name}: ${n.reason}` });
      continue;
    }
    if (!isInZone(n.name, zone)) {
      errors.push({ line: r.line, reason: `owner ${n.name} is not in the zone ${zone}` });
      continue;
    }
    if (r.type === 'SOA') {
      skipped++;
      warn(r, n.name, `the SOA is not imported; the zone's own SOA fields (PATCH /v2/zones/${zone}) stay`);
      continue;
    }
    if (r.type === 'NS' && n.name === zone) {
      skipped++;
      warn(r, n.name, `the apex NS record is not imported; the zone keeps Vigil's name servers`);
      continue;
    }
    if (!isRecordType(r.type)) {
      skipped++;
      warn(r, n.name, `${r.type} records are not served by Vigil; skipped`);
      continue;
    }
    const fields = content(r.type, r.rdata);
    if (typeof fields === 'string') {
      errors.push({ line: r.line, reason: `${r.type} ${fields}` });
      continue;
    }
    const parsed = parseContent(r.type, fields);
    if (!parsed.ok) {
      errors.push({ line: r.line, reason: `${r.type} ${parsed.reason}` });
      continue;
    }
    const id = `${n.name} ${r.type}`;
    let g = groups.get(id);
    if (!g) {
      g = { name: n.name, type: r.type, ttl: r.ttl, lines: [], contents: [], enabled: [], marked: [], keys: new Set() };
      groups.set(id, g);
    } else if (g.ttl !== r.ttl) {
      warn(r, n.name, `TTL ${r.ttl} differs from the ${g.ttl} of ${id} above (line ${g.lines[0]}); a record set has one TTL, ${g.ttl}`);
    }
    const key = contentKey(parsed.content);
    if (g.keys.has(key)) {
      warn(r, n.name, `repeats a record of ${id}; imported once`);
      continue;
    }
    g.keys.add(key);
    g.lines.push(r.line);
    g.contents.push(parsed.content);
    g.enabled.push(r.enabled);
    g.marked.push(r.marked);
  }

  const rrsets: ImportedRrset[] = [];
  for (const g of groups.values()) {
    const kept = held(g.name, g.type);
    if (g.type === 'CNAME' && g.contents.length > 1 && !holdsCandidates(kept)) dropMarked(g, warn);
    const shaped = RrsetBodySchema.safeParse({
      ttl: g.ttl,
      resource_records: g.contents.map((c, i) => ({ content: c, enabled: g.enabled[i] })),
    });
    if (!shaped.success) {
      for (const i of shaped.error.issues)
        errors.push({ line: lineOf(g.lines, i.path), reason: `${g.name} ${g.type}: ${describe(i.path, i.message)}` });
      continue;
    }
    // How many CNAME targets a record set may hold depends on its pickers and failover, which
    // the import keeps from the zone: checked with them, imported without (the merge keeps them).
    const withHeld = g.type === 'CNAME' && kept !== undefined ? { ...shaped.data, pickers: kept.pickers, meta: kept.meta } : shaped.data;
    const checked = checkRrsetForType(g.type, withHeld);
    if (checked.issues.length) {
      for (const i of checked.issues) errors.push({ line: lineOf(g.lines, i.path), reason: `${g.name} ${g.type}: ${i.message}` });
      continue;
    }
    rrsets.push({
      name: g.name,
      type: g.type,
      lines: g.lines,
      body: { ...checked.body, pickers: shaped.data.pickers, meta: shaped.data.meta },
    });
  }
  errors.sort((a, b) => a.line - b.line);
  warnings.sort((a, b) => a.line - b.line);
  return { rrsets, skipped, errors, warnings };
}

/**
 * Leaves out of a CNAME record set the targets written behind Vigil's markers (candidates and
 * disabled ones) when the record set here cannot hold several: exported from a record set with
 * failover or pickers, imported where it has neither. The plain line is the record (else the
 * first marked one); plain lines beyond one stay an error.
 */
function dropMarked(g: Group, warn: Warn): void {
  let keep = g.marked.map((m) => !m);
  if (!keep.includes(true)) keep = g.marked.map((_, i) => i === 0);
  for (let i = 0; i < keep.length; i++) {
    if (!keep[i])
      warn(
        { line: g.lines[i]!, type: g.type },
        g.name,
        'another target of a CNAME, which only a record set with failover or pickers holds; skipped',
      );
  }
  const only = <T>(list: T[]) => list.filter((_, i) => keep[i]);
  g.lines = only(g.lines);
  g.contents = only(g.contents);
  g.enabled = only(g.enabled);
  g.marked = only(g.marked);
}

/** The line of `resource_records[i]` when the issue names one, else the record set's first line. */
function lineOf(lines: number[], path: readonly PropertyKey[] | readonly unknown[]): number {
  const i = path[0] === 'resource_records' && typeof path[1] === 'number' ? path[1] : 0;
  return lines[i] ?? lines[0]!;
}

function describe(path: readonly unknown[], message: string): string {
  if (path[0] === 'ttl') return `TTL ${message}`;
  if (path[0] === 'resource_records' && path.length === 1) return `the record set ${message}`;
  return message;
}
