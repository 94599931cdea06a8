// A BIND master file (RFC 1035 §5.1, with BIND's TTL units) read into records, pure and I/O-free.
// Written here rather than taken from a package because an import must name the line of every
// problem, and the zone-file packages on npm report none.

/** One record as written in the file, names absolute (no trailing dot), rdata still as tokens. */
export interface FileRecord {
  line: number;
  name: string;
  ttl: number;
  type: string;
  rdata: string[];
  /** False for a record behind DISABLED_MARKER. */
  enabled: boolean;
  /** Written behind a marker of Vigil's export (disabled, candidate), not as a plain record. */
  marked: boolean;
}

/**
 * Vigil's export writes a disabled record behind this comment marker: another DNS server reading
 * the file never serves it, and an import reads it back as a disabled record.
 */
export const DISABLED_MARKER = ';vigil:disabled ';

/**
 * And a CNAME record set's candidate targets after the first (failover or pickers choose among
 * them) behind this one: a name has one CNAME in a zone file, the others stay comments elsewhere.
 */
export const CANDIDATE_MARKER = ';vigil:candidate ';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

export interface LineIssue {
  line: number;
  reason: string;
}

export interface ParsedZoneFile {
  records: FileRecord[];
  errors: LineIssue[];
}

const CLASSES = new Set(['IN', 'CH', 'HS', 'CS']);
const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
/** Types whose rdata fields are domain names (relative ones are completed with $ORIGIN), by index. */
const NAME_FIELDS: Record<string, number[]> = {
  CNAME: [0],
  NS: [0],
  MX: [1],
  SRV: [3],
  SOA: [0, 1],
  PTR: [0],
  DNAME: [0],
  SVCB: [1],
  HTTPS: [1],
};
const MAX_TTL = 2 ** 31 - 1;

/** `3600`, `1h`, `1h30m`, `2W`; null when it is not a TTL. */
export function parseTtl(token: string): number | null {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n <= MAX_TTL ? n : null;
  }
  const parts = /^(?:\d+[smhdw])+$/i.test(token) ? token.toLowerCase().match(/\d+[smhdw]/g)! : null;
  if (!parts) return null;
  const n = parts.reduce((sum, p) => sum + Number(p.slice(0, -1)) * TTL_UNITS[p.slice(-1)]!, 0);
  return n <= MAX_TTL ? n : null;
}

interface Token {
  text: string;
  quoted: boolean;
  /** A quoted string as written between its quotes, escapes and all. */
  raw?: string;
  /** A quoted string whose bytes are not UTF-8 text (fine where only `raw` is read: SVCB values). */
  notText?: boolean;
}

interface Entry {
  line: number;
  disabled: boolean;
  marked: boolean;
  /** The line started with white space: the owner is the previous record's. */
  indented: boolean;
  tokens: Token[];
}

/**
 * Splits the file into entries: comments dropped, parentheses joining lines, quoted strings kept
 * whole (with \X and \DDD escapes resolved inside them).
 */
function tokenize(text: string, errors: LineIssue[]): Entry[] {
  const entries: Entry[] = [];
  let current: Entry | null = null;
  let depth = 0;
  let openedAt = 0;
  // An entry with a problem is dropped whole, and reading goes on after it, so one pass names
  // every bad line.
  let broken = false;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    let line = lines[n]!;
    if (depth === 0) {
      const disabled = line.startsWith(DISABLED_MARKER);
      const candidate = !disabled && line.startsWith(CANDIDATE_MARKER);
      if (disabled) line = line.slice(DISABLED_MARKER.length);
      if (candidate) line = line.slice(CANDIDATE_MARKER.length);
      current = { line: lineNo, disabled, marked: disabled || candidate, indented: /^[ \t]/.test(line), tokens: [] };
      broken = false;
    }
    let i = 0;
    while (i < line.length && !broken) {
      const c = line[i]!;
      if (c === ' ' || c === '\t') {
        i++;
      } else if (c === ';') {
        break;
      } else if (c === '(') {
        if (depth === 0) openedAt = lineNo;
        depth++;
        i++;
      } else if (c === ')') {
        if (depth === 0) {
          errors.push({ line: lineNo, reason: '")" without a matching "("' });
          broken = true;
          break;
        }
        depth--;
        i++;
      } else if (c === '"') {
        // \DDD is a byte: the string is read as bytes and then as UTF-8, so é written as
        // \195\169 (what exporters that keep files ASCII write, Vigil's own included) is é.
        const bytes: Buffer[] = [];
        let j = i + 1;
        let run = j;
        let closed = false;
        while (j < line.length) {
          const d = line[j]!;
          if (d === '\\' && j + 1 < line.length) {
            bytes.push(Buffer.from(line.slice(run, j)));
            const ddd = /^\d{3}/.exec(line.slice(j + 1, j + 4));
            if (ddd && Number(ddd[0]) <= 255) {
              bytes.push(Buffer.of(Number(ddd[0])));
              j += 4;
            } else {
              bytes.push(Buffer.from(line[j + 1]!));
              j += 2;
            }
            run = j;
          } else if (d === '"') {
            closed = true;
            break;
          } else {
            j++;
          }
        }
        if (!closed) {
          errors.push({ line: lineNo, reason: 'a quoted string is not closed on its line' });
          broken = true;
          depth = 0;
          break;
        }
        bytes.push(Buffer.from(line.slice(run, j)));
        let text = '';
        let notText = false;
        try {
          text = UTF8.decode(Buffer.concat(bytes));
        } catch {
          notText = true;
        }
        current!.tokens.push({ text, quoted: true, raw: line.slice(i + 1, j), ...(notText && { notText }) });
        i = j + 1;
      } else {
        let j = i;
        while (j < line.length && !' \t;()"'.includes(line[j]!)) j += line[j] === '\\' ? 2 : 1;
        current!.tokens.push({ text: line.slice(i, j), quoted: false });
        i = j;
      }
    }
    if (depth === 0 && !broken && current!.tokens.length > 0) entries.push(current!);
  }
  if (depth > 0) errors.push({ line: openedAt, reason: '"(" is never closed' });
  return entries;
}

/** `name` completed with the origin unless absolute; `@` is the origin. */
function absolute(name: string, origin: string): string {
  if (name === '@') return origin;
  if (name.endsWith('.') && !name.endsWith('\\.')) return name.slice(0, -1).toLowerCase();
  return `${name}.${origin}`.toLowerCase();
}

/**
 * Reads a zone file for `origin` (normalised, no trailing dot). `defaultTtl` applies until a $TTL
 * (or, as in BIND, the SOA's minimum when there is no $TTL). Problems are collected per line;
 * records of lines without problems are returned either way, so the caller decides.
 */
export function parseZoneFile(text: string, origin: string, defaultTtl: number): ParsedZoneFile {
  const errors: LineIssue[] = [];
  const records: FileRecord[] = [];
  let currentOrigin = origin;
  let ttl: number | null = null;
  let lastName: string | null = null;
  let lastTtl: number | null = null;

  for (const e of tokenize(text, errors)) {
    const words = e.tokens;
    const first = words[0]!;
    if (!first.quoted && first.text.startsWith('$')) {
      const directive = first.text.toUpperCase();
      if (directive === '$ORIGIN') {
        if (words.length !== 2) errors.push({ line: e.line, reason: '$ORIGIN takes one domain name' });
        else currentOrigin = absolute(words[1]!.text, currentOrigin);
      } else if (directive === '$TTL') {
        const t = words.length === 2 ? parseTtl(words[1]!.text) : null;
        if (t === null) errors.push({ line: e.line, reason: '$TTL takes one TTL, such as 3600 or 1h' });
        else ttl = t;
      } else if (directive === '$INCLUDE') {
        errors.push({ line: e.line, reason: '$INCLUDE is not supported: paste the included file in its place' });
      } else {
        errors.push({ line: e.line, reason: `${first.text} is not a supported directive ($ORIGIN, $TTL)` });
      }
      continue;
    }

    let k = 0;
    let name: string;
    if (e.indented) {
      if (lastName === null) {
        errors.push({ line: e.line, reason: 'the first record must name its owner' });
        continue;
      }
      name = lastName;
    } else {
      name = absolute(words[k++]!.text, currentOrigin);
    }
    // TTL and class, in either order, both optional.
    let recordTtl: number | null = null;
    for (let round = 0; round < 2 && k < words.length; round++) {
      const w = words[k]!.text;
      if (recordTtl === null && parseTtl(w) !== null && k + 1 < words.length) {
        recordTtl = parseTtl(w);
        k++;
      } else if (CLASSES.has(w.toUpperCase())) {
        if (w.toUpperCase() !== 'IN') {
          errors.push({ line: e.line, reason: `class ${w} is not served; only IN` });
          k = -1;
          break;
        }
        k++;
      }
    }
    if (k < 0) continue;
    if (k >= words.length) {
      errors.push({ line: e.line, reason: 'a record needs a type and its data' });
      continue;
    }
    const type = words[k++]!.text.toUpperCase();
    if (!/^[A-Z][A-Z0-9-]*$/.test(type)) {
      errors.push({ line: e.line, reason: `"${words[k - 1]!.text}" is not a record type` });
      continue;
    }
    const data = type === 'SVCB' || type === 'HTTPS' ? svcTokens(words.slice(k)) : words.slice(k);
    if (data.some((w) => w.notText)) {
      errors.push({ line: e.line, reason: 'a quoted string has bytes that are not UTF-8 text' });
      continue;
    }
    const rdata = data.map((w, i) => (!w.quoted && NAME_FIELDS[type]?.includes(i) ? absoluteTarget(w.text, currentOrigin) : w.text));
    if (rdata.length === 0) {
      errors.push({ line: e.line, reason: `the ${type} record has no data` });
      continue;
    }
    if (type === 'SOA' && ttl === null && rdata.length === 7) {
      // BIND: without $TTL, the SOA's last field is the default TTL.
      ttl = parseTtl(rdata[6]!) ?? ttl;
    }
    const effective: number = recordTtl ?? ttl ?? lastTtl ?? defaultTtl;
    records.push({ line: e.line, name, ttl: effective, type, rdata, enabled: !e.disabled, marked: e.marked });
    lastName = name;
    lastTtl = effective;
  }
  errors.sort((a, b) => a.line - b.line);
  return { records, errors };
}

/**
 * SVCB and HTTPS rdata with each SvcParam one token as written (`alpn="h3,h2"`, escapes
 * unresolved): its value has two levels of escapes (RFC 9460 appendix A), which the contract reads.
 */
function svcTokens(words: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1];
    if (i >= 2 && !w.quoted && w.text.endsWith('=') && next?.quoted) {
      out.push({ text: `${w.text}"${next.raw}"`, quoted: false });
      i++;
    } else {
      out.push(i >= 2 && w.quoted ? { text: `"${w.raw}"`, quoted: false } : w);
    }
  }
  return out;
}

/** Domain names in rdata: `.` (the root, as in a null MX) stays as it is. */
function absoluteTarget(name: string, origin: string): string {
  return name === '.' ? '.' : absolute(name, origin);
}
