import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Addr, number];

/**
 * Ranges a probe refuses to check unless ALLOW_PRIVATE_TARGETS admits them: a check is
 * customer-supplied, so without this anyone could make our probes scan the network they run in
 * (or read a cloud metadata service). First match names the range, so the precise ones come first.
 * Documentation ranges (192.0.2.0/24, 2001:db8::/32, ...) are deliberately not here: they are
 * harmless to try and handy in examples.
 */
const REFUSED: [string, string][] = [
  ['169.254.169.254/32', 'cloud metadata'],
  ['fd00:ec2::254/128', 'cloud metadata'],
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['172.16.0.0/12', 'private'],
  ['192.168.0.0/16', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['224.0.0.0/4', 'multicast'],
  // Class E and the limited broadcast address: not routable unicast.
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  // The rest of ::/96 is the deprecated IPv4-compatible form; nothing public lives there.
  ['::/96', 'reserved'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'],
  ['fc00::/7', 'private'],
  ['ff00::/8', 'multicast'],
  // Local-use NAT64 prefix (RFC 8215): translated by a gateway inside the operator's network.
  ['64:ff9b:1::/48', 'private'],
];

const REFUSED_PARSED: [Cidr, string][] = REFUSED.map(([cidr, name]) => [ipaddr.parseCIDR(cidr) as Cidr, name]);

const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96') as Cidr;

function matches(addr: Addr, [net, bits]: Cidr): boolean {
  return addr.kind() === net.kind() && (addr as ipaddr.IPv4).match(net as ipaddr.IPv4, bits);
}

/**
 * The IPv4 address a packet to `addr` really reaches, when `addr` is an IPv6 form of one:
 * IPv4-mapped (::ffff:a.b.c.d, which a dual-stack socket sends over IPv4) and the well-known
 * NAT64 prefix (64:ff9b::/96, which a NAT64 gateway forwards to that IPv4 address).
 */
function embeddedIPv4(addr: Addr): ipaddr.IPv4 | null {
  if (addr.kind() !== 'ipv6') return null;
  const v6 = addr as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  if (matches(v6, NAT64_WELL_KNOWN)) return ipaddr.IPv4.parse(v6.toByteArray().slice(12).join('.'));
  return null;
}

export class TargetPolicy {
  private constructor(
    private readonly allowAll: boolean,
    private readonly allowed: Cidr[],
    readonly spec: string,
  ) {}

  /**
   * Parses ALLOW_PRIVATE_TARGETS: empty (refuse every non-public range), `all`, or a comma list
   * of CIDRs or single addresses. Throws a readable error on a bad entry.
   */
  static parse(spec: string | undefined): TargetPolicy {
    const text = (spec ?? '').trim();
    if (text.toLowerCase() === 'all') return new TargetPolicy(true, [], 'all');
    const allowed: Cidr[] = [];
    for (const raw of text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      try {
        allowed.push(raw.includes('/') ? (ipaddr.parseCIDR(raw) as Cidr) : single(ipaddr.parse(raw)));
      } catch {
        throw new Error(`"${raw}" is not a CIDR such as 127.0.0.0/8 or fd00::/8 (or "all")`);
      }
    }
    return new TargetPolicy(false, allowed, text);
  }

  /** The range name when `address` is refused, null when it may be checked. Throws on a non-IP. */
  refusedRange(address: string): string | null {
    const addr = ipaddr.parse(address);
    const v4 = embeddedIPv4(addr);
    const candidates: Addr[] = v4 ? [addr, v4] : [addr];
    let range: string | null = null;
    for (const a of candidates) {
      const hit = REFUSED_PARSED.find(([cidr]) => matches(a, cidr));
      if (hit) {
        range = hit[1];
        break;
      }
    }
    if (range === null || this.allowAll) return null;
    // Allowed when the operator listed the address itself or (for a mapped form) its IPv4 address.
    if (candidates.some((a) => this.allowed.some((cidr) => matches(a, cidr)))) return null;
    return range;
  }

  /**
   * The error a probe reports instead of checking `address`, or null when the check may run.
   * Anything but an IP literal is refused too: resolving names here would let DNS steer probes.
   */
  refusal(address: string): string | null {
    // net.isIP takes only the strict forms the socket layer uses (no 127.1, no octal), no zone ids.
    if (isIP(address) === 0 || address.includes('%')) return `target "${address.slice(0, 100)}" is not an IP address`;
    const range = this.refusedRange(address);
    if (range === null) return null;
    const what = range === 'cloud metadata' ? 'is a cloud metadata address' : `is in a ${range} range`;
    return `target ${address} ${what}; probes do not check it (ALLOW_PRIVATE_TARGETS)`;
  }
}

function single(addr: Addr): Cidr {
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}
