// DNS names as the API accepts them and as everything downstream stores them:
// lower-case, punycode (IDNA via the WHATWG URL parser, which both Node and browsers ship),
// no trailing dot.

const LABEL_RE = /^(?:\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/;

export type NameResult = { ok: true; name: string } | { ok: false; reason: string };

function labelToAscii(label: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(label)) return label.toLowerCase();
  // The URL parser would read "@", "/", "%" and the like as URL syntax and change the name;
  // only letters, digits, hyphens and underscores may stand beside the non-ASCII characters.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x2c\x2e-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]/.test(label)) return null;
  try {
    const host = new URL(`http://${label}`).hostname;
    return host.includes('.') ? null : host;
  } catch {
    return null;
  }
}

/** Normalises a domain name; `allowWildcard` permits a leading `*` label (RFC 4592). */
export function normalizeName(input: string, opts: { allowWildcard?: boolean } = {}): NameResult {
  let raw = input.trim();
  if (raw.endsWith('.')) raw = raw.slice(0, -1);
  if (raw === '') return { ok: false, reason: 'must not be empty' };
  const labels = raw.split('.');
  const out: string[] = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label === '') return { ok: false, reason: 'must not contain an empty label' };
    const ascii = labelToAscii(label);
    if (ascii === null) return { ok: false, reason: `label "${label}" is not a valid internationalised label` };
    if (ascii.length > 63) return { ok: false, reason: `label "${label}" is longer than 63 characters` };
    if (!LABEL_RE.test(ascii)) {
      return { ok: false, reason: `label "${label}" may contain only letters, digits, hyphens and underscores, not at its ends` };
    }
    if (ascii === '*' && (!opts.allowWildcard || i !== 0)) {
      return { ok: false, reason: 'a wildcard "*" is allowed only as the leftmost label of a record name' };
    }
    out.push(ascii);
  }
  const name = out.join('.');
  // 253 characters of text is 255 octets on the wire.
  if (name.length > 253) return { ok: false, reason: 'is longer than 253 characters' };
  return { ok: true, name };
}

/** True when `name` is `zone` or below it. Both must be normalised. */
export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}
