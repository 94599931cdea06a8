import { addressInto, addressText, ecsInto, inNetworks, isV4, parseNetworks } from './address';

const words = (text: string) => {
  const w = new Uint32Array(4);
  return addressInto(text, w) ? w : null;
};

describe('client addresses', () => {
  it('reads IPv4 as its IPv4-mapped IPv6 form, and IPv6', () => {
    expect([...words('192.0.2.1')!]).toEqual([0, 0, 0xffff, 0xc0000201]);
    expect([...words('::ffff:192.0.2.1')!]).toEqual([0, 0, 0xffff, 0xc0000201]);
    expect([...words('2001:db8::1')!]).toEqual([0x20010db8, 0, 0, 1]);
    expect(isV4(words('192.0.2.1')!)).toBe(true);
    expect(isV4(words('2001:db8::1')!)).toBe(false);
  });

  it('refuses what is no address', () => {
    for (const bad of ['', '1.2.3', '1.2.3.256', '1.2.3.4.5', '1..2.3', 'x', '2001:db8::g', 'fe80::1%eth0']) expect(words(bad)).toBeNull();
  });

  it('reads the ECS address, its bytes past the prefix absent', () => {
    const w = new Uint32Array(4);
    expect(ecsInto({ family: 1, sourcePrefix: 24, address: Buffer.from([203, 0, 113]) }, w)).toBe(true);
    expect(addressText(w)).toBe('203.0.113.0');
    expect(ecsInto({ family: 2, sourcePrefix: 48, address: Buffer.from([0x20, 0x01, 0x0d, 0xb8, 0, 7]) }, w)).toBe(true);
    expect(addressText(w)).toBe('2001:db8:7:0:0:0:0:0');
  });
});

describe('networks (meta.ip)', () => {
  const nets = parseNetworks(['198.51.100.0/24', '203.0.113.9', '2001:db8:40::/42', '10.1.2.3/8', '0.0.0.0/0']);
  const inside = (list: string[], text: string) => inNetworks(parseNetworks(list), words(text)!);

  it('holds the addresses of each network, host bits of the base ignored', () => {
    expect(nets.length).toBe(5 * 8);
    expect(inside(['198.51.100.0/24'], '198.51.100.255')).toBe(true);
    expect(inside(['198.51.100.0/24'], '198.51.101.0')).toBe(false);
    expect(inside(['203.0.113.9'], '203.0.113.9')).toBe(true);
    expect(inside(['203.0.113.9'], '203.0.113.8')).toBe(false);
    expect(inside(['10.1.2.3/8'], '10.200.0.1')).toBe(true);
    expect(inside(['2001:db8:40::/42'], '2001:db8:7f:ffff::1')).toBe(true);
    expect(inside(['2001:db8:40::/42'], '2001:db8:80::')).toBe(false);
    expect(inside(['2001:db8::1'], '2001:db8::1')).toBe(true);
  });

  it('keeps the families apart: 0.0.0.0/0 holds every IPv4 address, no other IPv6 one', () => {
    expect(inside(['0.0.0.0/0'], '8.8.8.8')).toBe(true);
    expect(inside(['0.0.0.0/0'], '2001:db8::1')).toBe(false);
    expect(inside(['::/0'], '2001:db8::1')).toBe(true);
  });

  it('leaves out what does not parse', () => {
    expect(parseNetworks(['192.0.2.0/33', 'nope', '192.0.2.0/24']).length).toBe(8);
  });
});
