import ipaddr from 'ipaddr.js';
import { canonicalIPv4, canonicalIPv6 } from './ip';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Addr, number];

/**
 * Ranges a probe refuses to check unless ALLOW_PRIVATE_TARGETS admits them: a check is
 * customer-supplied, so without this anyone could make our probes scan the network they run in
 * (or read a cloud metadata service). First match names the range, so the precise ones come first.
 * Documentation ranges (192.0.2.0/24, 2001:db8::/32, 3fff::/20, ...) are deliberately not here:
 * they are harmless to try and handy in examples. Reviewed against IANA's IPv4 and IPv6
 * special-purpose address registries: a block is here when a packet to it reaches the network
 * the probe runs in (a middlebox, a relay, a router's SRv6 function) or nothing at all; blocks
 * that are real global services (AS112, AMT, ORCHIDv2, Drone Remote ID) are checked.
 * The api's notification webhooks go through the same policy (and the same setting).
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
  // Benchmarking (RFC 2544): lab networks, and the fake-IP range of local proxies and VPNs.
  ['198.18.0.0/15', 'benchmarking'],
  // DS-Lite, NAT64 discovery, PCP and TURN anycast, ...: each answered by a box in the probe's
  // own network (the operator's AFTR, PCP server), not by a customer's server.
  ['192.0.0.0/24', 'IETF protocol assignments'],
  // Deprecated (RFC 7526): reaches the 6to4 relay nearest to the probe.
  ['192.88.99.0/24', '6to4 relay anycast'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  // The rest of ::/96 is the deprecated IPv4-compatible form; nothing public lives there.
  ['::/96', 'reserved'],
  // IPv4-translated (RFC 2765's SIIT form, ::ffff:0:a.b.c.d): for translators, not a public host.
  ['::ffff:0:0:0/96', 'reserved'],
  // Remote-triggered black holes (RFC 6666): dropped by design.
  ['100::/64', 'discard-only'],
  // Teredo (RFC 4380): names a client through its NAT's current mapping (its IPv4 address and port
  // only obfuscated in the last 48 bits), reached through a relay that may be the probe's own
  // network's: no server lives there, and a mapping is no target to fail over on.
  ['2001::/32', 'Teredo'],
  // PCP, TURN and DNS-SD anycast (2001:1::1-3): like 192.0.0.9/10, the nearest instance answers.
  ['2001:1::/32', 'IETF protocol assignments'],
  ['2001:2::/48', 'benchmarking'],
  // SRv6 segment identifiers (RFC 9602): a router behind one may decapsulate the packet into a
  // private routing table.
  ['5f00::/16', 'SRv6 segment identifier'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'],
  ['fc00::/7', 'private'],
  ['ff00::/8', 'multicast'],
  // Local-use NAT64 prefix (RFC 8215): translated by a gateway inside the operator's network.
  ['64:ff9b:1::/48', 'private'],
];

const REFUSED_PARSED: [Cidr, string][] = REFUSED.map(([cidr, name]) => [ipaddr.parseCIDR(cidr) as Cidr, name]);

const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96') as Cidr;
const SIX_TO_FOUR = ipaddr.parseCIDR('2002::/16') as Cidr;

function matches(addr: Addr, [net, bits]: Cidr): boolean {
  return addr.kind() === net.kind() && (addr as ipaddr.IPv4).match(net as ipaddr.IPv4, bits);
}

/**
 * The IPv4 address a packet to `addr` really reaches, when `addr` is an IPv6 form of one:
 * IPv4-mapped (::ffff:a.b.c.d, which a dual-stack socket sends over IPv4), the well-known NAT64
 * prefix (64:ff9b::/96, which a NAT64 gateway forwards to that IPv4 address) and 6to4
 * (2002:AABB:CCDD::/48, which a 6to4 relay, or the probe host's own 6to4 tunnel, sends in IPv4
 * to AA.BB.CC.DD). 6to4 of a public address stays a target like any other IPv6 site.
 */
function embeddedIPv4(addr: Addr): ipaddr.IPv4 | null {
  if (addr.kind() !== 'ipv6') return null;
  const v6 = addr as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  const bytes = v6.toByteArray();
  if (matches(v6, NAT64_WELL_KNOWN)) return new ipaddr.IPv4(bytes.slice(12, 16));
  if (matches(v6, SIX_TO_FOUR)) return new ipaddr.IPv4(bytes.slice(2, 6));
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
    // Allowed when the operator listed the address itself or (for an IPv6 form) its IPv4 address.
    if (candidates.some((a) => this.allowed.some((cidr) => matches(a, cidr)))) return null;
    return range;
  }

  /**
   * The error a probe reports instead of checking `address`, or null when the check may run.
   * Anything but an IP literal is refused too: resolving names here would let DNS steer probes.
   * (A CNAME target's name is resolved by the runner, and this judges the address it resolves to.)
   */
  refusal(address: string): string | null {
    // Only the strict forms the socket layer uses (no 127.1, no octal), no zone ids; no node:net,
    // since the panel compiles the contract too.
    if (canonicalIPv4(address) === null && canonicalIPv6(address) === null) return `target "${address.slice(0, 100)}" is not an IP address`;
    const why = this.whyRefused(address);
    return why === null ? null : `target ${address} ${why}; probes do not check it (ALLOW_PRIVATE_TARGETS)`;
  }

  /**
   * Why `address` is refused, as a predicate ("is in a loopback range", "is a cloud metadata
   * address"), or null when it may be reached: for callers that word their own message (the
   * api's webhooks). Throws on a non-IP.
   */
  whyRefused(address: string): string | null {
    const range = this.refusedRange(address);
    if (range === null) return null;
    return range === 'cloud metadata' ? 'is a cloud metadata address' : `is in a ${range} range`;
  }
}

function single(addr: Addr): Cidr {
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}
