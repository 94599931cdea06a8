import ipaddr from 'ipaddr.js';

/** Canonical text of an IPv4 literal in dotted-quad form, or null. */
export function canonicalIPv4(input: string): string | null {
  if (!ipaddr.IPv4.isValidFourPartDecimal(input)) return null;
  return ipaddr.IPv4.parse(input).toString();
}

/** Canonical (RFC 5952) text of an IPv6 literal, or null. Zone ids are refused. */
export function canonicalIPv6(input: string): string | null {
  if (input.includes('%') || !ipaddr.IPv6.isValid(input)) return null;
  return ipaddr.IPv6.parse(input).toRFC5952String();
}

/** ipaddr.js range names that are not public unicast. */
const NON_PUBLIC = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'carrierGradeNat',
  'private',
  'reserved',
  'uniqueLocal',
  'ipv4Mapped',
  'rfc6145',
  'rfc6052',
  'teredo',
  'benchmarking',
  'amt',
  'as112',
  'deprecated',
  'orchid2',
  'droneRemoteIdProtocolEntityTags',
  'as112v6',
  'discard',
]);

/** The range an address falls in when it is not a public unicast address, else null. */
export function nonPublicRange(address: string): string | null {
  const parsed = ipaddr.parse(address);
  const range = parsed.range();
  if (NON_PUBLIC.has(range)) return range;
  // 169.254.169.254 and fd00:ec2::254 are cloud metadata endpoints; both fall in ranges above.
  return null;
}
