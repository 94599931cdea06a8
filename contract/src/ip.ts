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

/** An IPv4 or IPv6 address, or a network in CIDR notation (`192.0.2.0/24`, `2001:db8::/32`). */
export function isAddressOrCidr(input: string): boolean {
  return ipaddr.isValid(input) || ipaddr.isValidCIDR(input);
}
