import { readFileSync } from 'node:fs';
import { addressInto } from './address';
import { AsnTable, geoPoint, sharedAsnTable, sharedCityPoints } from './geo-data';

const words = (text: string) => {
  const w = new Uint32Array(4);
  expect(addressInto(text, w)).toBe(true);
  return w;
};

describe('AsnTable', () => {
  const v4 = Buffer.from(['16777216,16777471,13335,"Cloudflare, Inc."', '16778240,16779263,38803,Gtelecom Pty Ltd', ''].join('\n'));
  const v6 = Buffer.from(
    [
      '42540488161975842760550356425300246528,42540488241204005274814694018844196863,6939,Hurricane Electric LLC',
      '42540528726795050063891204319802818560,42540528727329395276160870415022948351,2500,WIDE Project',
    ].join('\n'),
  );
  const t = AsnTable.parse(v4, v6);

  it('finds the range holding an address, in either family, and none in the gaps', () => {
    expect(t.ranges).toBe(4);
    expect(t.lookup(words('1.0.0.0'))).toBe(13335);
    expect(t.lookup(words('1.0.0.255'))).toBe(13335);
    expect(t.lookup(words('1.0.1.0'))).toBeNull();
    expect(t.lookup(words('1.0.4.9'))).toBe(38803);
    expect(t.lookup(words('0.255.255.255'))).toBeNull();
    expect(t.lookup(words('200.0.0.1'))).toBeNull();
    expect(t.lookup(words('2001:0:4136::1'))).toBe(6939);
    expect(t.lookup(words('2001:200::1'))).toBe(2500);
    expect(t.lookup(words('2001:1::1'))).toBeNull();
    expect(t.lookup(words('2001:ffff::1'))).toBeNull();
  });

  it('refuses an unsorted file', () => {
    expect(() => AsnTable.parse(Buffer.from(v4.toString().split('\n').reverse().join('\n')), Buffer.alloc(0))).toThrow(/not sorted/);
  });
});

describe('the packaged databases', () => {
  it("the ASN table answers as the package's text CSVs say, for rows across the files", () => {
    const table = sharedAsnTable();
    expect(table.ranges).toBeGreaterThan(100_000);
    for (const file of ['asn-ipv4.csv', 'asn-ipv6.csv']) {
      const lines = readFileSync(require.resolve(`@ip-location-db/asn/${file}`), 'latin1')
        .split('\n')
        .filter(Boolean);
      for (let i = 0; i < lines.length; i += Math.floor(lines.length / 50)) {
        const [start, end, asn] = lines[i]!.split(',');
        expect([lines[i], table.lookup(words(start!))]).toEqual([lines[i], Number(asn)]);
        expect([lines[i], table.lookup(words(end!))]).toEqual([lines[i], Number(asn)]);
      }
    }
    expect(table.lookup(words('10.0.0.1'))).toBeNull();
  });

  it('the city database gives a point for public addresses and none for private ones', () => {
    const city = sharedCityPoints();
    for (const text of ['8.8.8.8', '1.1.1.1', '81.2.69.160', '2001:4860:4860::8888']) {
      const rec = city.record(words(text))!;
      expect(typeof rec.latitude).toBe('number');
      expect(city.lookup(words(text))).toEqual(geoPoint(rec.latitude!, rec.longitude!));
    }
    expect(city.lookup(words('10.0.0.1'))).toBeNull();
    expect(city.lookup(words('::1'))).toBeNull();
  });
});
