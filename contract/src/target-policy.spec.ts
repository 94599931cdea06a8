import { TargetPolicy } from './target-policy';

const strict = TargetPolicy.parse('');

describe('TargetPolicy: refused ranges', () => {
  it.each([
    ['10.0.0.1', 'target 10.0.0.1 is in a private range; probes do not check it (ALLOW_PRIVATE_TARGETS)'],
    ['172.16.5.4', 'target 172.16.5.4 is in a private range; probes do not check it (ALLOW_PRIVATE_TARGETS)'],
    ['192.168.1.1', 'target 192.168.1.1 is in a private range; probes do not check it (ALLOW_PRIVATE_TARGETS)'],
    ['127.0.0.1', 'target 127.0.0.1 is in a loopback range; probes do not check it (ALLOW_PRIVATE_TARGETS)'],
    ['169.254.169.254', 'target 169.254.169.254 is a cloud metadata address; probes do not check it (ALLOW_PRIVATE_TARGETS)'],
    ['fd00:ec2::254', 'target fd00:ec2::254 is a cloud metadata address; probes do not check it (ALLOW_PRIVATE_TARGETS)'],
  ])('%s', (address, message) => {
    expect(strict.refusal(address)).toBe(message);
  });

  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['169.254.1.1', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::7f00:1', 'reserved'],
    ['fe80::1', 'link-local'],
    ['fec0::1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['ff02::1', 'multicast'],
    ['64:ff9b:1::a00:1', 'private'],
    // IPv6 forms that reach an IPv4 address are judged by that address.
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a00:1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['64:ff9b::a9fe:a9fe', 'cloud metadata'],
    ['64:ff9b::10.1.2.3', 'private'],
    // 6to4 (2002:V4ADDR::/48): a 6to4 relay, or the probe host's own 6to4 tunnel, sends the packet
    // over IPv4 to the address in bits 16-48, so it is judged by that address.
    ['2002:a00:1::1', 'private'],
    ['2002:0a01:0203:4::5', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:a9fe:a9fe::1', 'cloud metadata'],
    ['2002:c0a8:101:ffff::1', 'private'],
    ['2002:c612:1::1', 'benchmarking'],
    ['2002::1', 'unspecified'],
    // Teredo names a NAT's mapping of a client, never a server to watch.
    ['2001::1', 'Teredo'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.254', 'benchmarking'],
    ['2001:2::1', 'benchmarking'],
    ['192.0.0.1', 'IETF protocol assignments'],
    ['192.0.0.9', 'IETF protocol assignments'],
    ['192.0.0.170', 'IETF protocol assignments'],
    ['2001:1::1', 'IETF protocol assignments'],
    ['2001:1::2', 'IETF protocol assignments'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['100::1', 'discard-only'],
    ['5f00::1', 'SRv6 segment identifier'],
    ['5f00:1:2:3::1', 'SRv6 segment identifier'],
    ['::ffff:0:a00:1', 'reserved'],
    ['64:ff9b::c612:1', 'benchmarking'],
    ['::ffff:192.0.0.9', 'IETF protocol assignments'],
  ])('refuses %s (%s)', (address, range) => {
    expect(strict.refusedRange(address)).toBe(range);
    expect(strict.refusal(address)).toMatch(/probes do not check it \(ALLOW_PRIVATE_TARGETS\)$/);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    // Documentation ranges are harmless to try.
    '192.0.2.1',
    '198.51.100.7',
    '203.0.113.9',
    '2001:db8::1',
    '2606:4700:4700::1111',
    '2a00:1450::1',
    // Just outside refused ranges.
    '172.32.0.1',
    '172.15.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '11.0.0.1',
    // NAT64 of a public address.
    '64:ff9b::808:808',
    '::ffff:8.8.8.8',
    // 6to4 of a public address is a (deprecated, still used) IPv6 site like any other.
    '2002:808:808::1',
    '2002:c000:201::1',
    // Just outside the new ranges.
    '198.17.255.255',
    '198.20.0.1',
    '192.0.1.1',
    '192.88.98.255',
    '2001:3::1',
    '2001:2:1::1',
    '5eff:ffff::1',
    '2003::1',
    // AS112 (192.31.196.0/24, 2001:4:112::/48) and AMT (192.52.193.0/24) are global services.
    '192.31.196.1',
    '192.52.193.1',
    '2001:4:112::1',
    '3fff::1',
  ])('checks %s', (address) => {
    expect(strict.refusal(address)).toBeNull();
  });

  it.each(['example.com', '127.1', '010.0.0.1', '0x7f.0.0.1', 'fe80::1%eth0', '', '1.2.3.4.5', '::ffff:999.0.0.1'])(
    'refuses %j: not an IP address',
    (address) => {
      expect(strict.refusal(address)).toMatch(/is not an IP address$/);
    },
  );

  it('says why an address is refused, for callers that word their own message', () => {
    expect(strict.whyRefused('127.0.0.1')).toBe('is in a loopback range');
    expect(strict.whyRefused('::ffff:169.254.169.254')).toBe('is a cloud metadata address');
    expect(strict.whyRefused('8.8.8.8')).toBeNull();
    expect(TargetPolicy.parse('127.0.0.0/8').whyRefused('127.0.0.1')).toBeNull();
  });
});

describe('TargetPolicy: ALLOW_PRIVATE_TARGETS', () => {
  it('admits the listed CIDRs only', () => {
    const p = TargetPolicy.parse('127.0.0.0/8, fd00::/8');
    expect(p.refusal('127.0.0.1')).toBeNull();
    expect(p.refusal('127.0.0.2')).toBeNull();
    expect(p.refusal('fd00:ec2::254')).toBeNull();
    expect(p.refusal('10.0.0.1')).toMatch(/private range/);
    expect(p.refusal('::1')).toMatch(/loopback range/);
    expect(p.refusal('169.254.169.254')).toMatch(/cloud metadata/);
  });

  it('judges an IPv4-mapped address by its IPv4 address', () => {
    const p = TargetPolicy.parse('127.0.0.0/8');
    expect(p.refusal('::ffff:127.0.0.1')).toBeNull();
    expect(p.refusal('::ffff:10.0.0.1')).toMatch(/private range/);
  });

  it('judges 6to4 by its IPv4 address, and admits it when that address is admitted', () => {
    const p = TargetPolicy.parse('10.0.0.0/8');
    expect(p.refusal('2002:a00:1::1')).toBeNull();
    expect(p.refusal('2002:c0a8:101::1')).toBe(
      'target 2002:c0a8:101::1 is in a private range; probes do not check it (ALLOW_PRIVATE_TARGETS)',
    );
    expect(TargetPolicy.parse('2002::/16').refusal('2002:c0a8:101::1')).toBeNull();
  });

  it('admits Teredo only when listed itself', () => {
    expect(TargetPolicy.parse('2001::/32').refusal('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toBeNull();
    expect(strict.refusal('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toBe(
      'target 2001:0:4136:e378:8000:63bf:3fff:fdd2 is in a Teredo range; probes do not check it (ALLOW_PRIVATE_TARGETS)',
    );
  });

  it('takes single addresses', () => {
    const p = TargetPolicy.parse('10.1.2.3');
    expect(p.refusal('10.1.2.3')).toBeNull();
    expect(p.refusal('10.1.2.4')).toMatch(/private range/);
  });

  it('"all" admits every range', () => {
    const p = TargetPolicy.parse('all');
    for (const a of ['10.0.0.1', '127.0.0.1', '169.254.169.254', '::1', 'ff02::1']) expect(p.refusal(a)).toBeNull();
    expect(p.refusal('not-an-ip')).toMatch(/not an IP address/);
  });

  it('refuses everything non-public when empty or unset', () => {
    expect(TargetPolicy.parse(undefined).refusal('10.0.0.1')).toMatch(/private/);
    expect(TargetPolicy.parse(' ').refusal('127.0.0.1')).toMatch(/loopback/);
  });

  it.each(['10.0.0.0/33', 'foo', '10.0.0.0/8,bar', 'fd00::/129'])('rejects %j with a readable message', (spec) => {
    expect(() => TargetPolicy.parse(spec)).toThrow(/is not a CIDR such as 127\.0\.0\.0\/8/);
  });
});
