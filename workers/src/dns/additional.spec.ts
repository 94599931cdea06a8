import { additionalFor, targetOffset } from './additional';
import { QTYPE } from './constants';
import { wireToName } from './rdata';
import { dataOf, index, rr, zone } from './testing/zones';
import type { Glue, ServedRrset } from './zone-index';

const z = index(
  zone('example.com', [
    rr('example.com', 'MX', [
      [10, 'mail.example.com'],
      [20, 'MAIL.example.com'],
      [30, 'x.wild.example.com'],
      [40, 'host.child.example.com'],
      [50, 'mx.example.net'],
    ]),
    rr('mail.example.com', 'A', ['192.0.2.25']),
    rr('mail.example.com', 'AAAA', ['2001:db8::25']),
    rr('*.wild.example.com', 'A', ['192.0.2.50']),
    rr('child.example.com', 'NS', ['ns.child.example.com']),
    rr('host.child.example.com', 'A', ['192.0.2.60']),
    rr('_sip._tcp.example.com', 'SRV', [
      [0, 5, 5060, 'mail.example.com'],
      [0, 0, 0, '.'],
    ]),
    rr('svc.example.com', 'HTTPS', [
      [1, 'mail.example.com', ['alpn', 'h2']],
      [2, '.', ['alpn', 'h3']],
    ]),
    rr('alias.example.com', 'SVCB', [[0, 'Mail.example.com']]),
  ]),
);
const records = (name: string, type: number) => z.nodes.get(name)!.get(type)!.records;
const all = (rrset: ServedRrset) => rrset.records;
const shown = (glue: readonly Glue[]) => glue.map((g) => `${wireToName(g.ownerWire, 0)} ${dataOf(g.record)}`);

describe('additionalFor', () => {
  it('knows where the target starts in NS, MX and SRV data, and that other types have none', () => {
    expect([QTYPE.NS, QTYPE.MX, QTYPE.SRV, QTYPE.SVCB, QTYPE.HTTPS, QTYPE.A, QTYPE.CNAME].map(targetOffset)).toEqual([0, 2, 6, 2, 2, -1, -1]);
  });

  it("adds the addresses of an SVCB or HTTPS record's TargetName, in service and alias form; '.' adds none", () => {
    const mail = ['mail.example.com 192.0.2.25', 'mail.example.com 2001:db8::25'];
    expect(shown(additionalFor(z, QTYPE.HTTPS, records('svc.example.com', QTYPE.HTTPS), all))).toEqual(mail);
    expect(shown(additionalFor(z, QTYPE.SVCB, records('alias.example.com', QTYPE.SVCB), all))).toEqual(mail);
  });

  it('adds A then AAAA of each in-zone target once (names compared without case), a wildcard synthesised at the target', () => {
    expect(shown(additionalFor(z, QTYPE.MX, records('example.com', QTYPE.MX), all))).toEqual([
      'mail.example.com 192.0.2.25',
      'mail.example.com 2001:db8::25',
      'x.wild.example.com 192.0.2.50',
    ]);
  });

  it('leaves out targets below a cut, outside the zone and the root; SRV targets as MX ones', () => {
    expect(shown(additionalFor(z, QTYPE.SRV, records('_sip._tcp.example.com', QTYPE.SRV), all))).toEqual([
      'mail.example.com 192.0.2.25',
      'mail.example.com 2001:db8::25',
    ]);
    expect(additionalFor(z, QTYPE.A, records('mail.example.com', QTYPE.A), all)).toEqual([]);
  });

  it('takes only the records the choice leaves (health and pickers)', () => {
    expect(
      shown(additionalFor(z, QTYPE.MX, records('example.com', QTYPE.MX), (rrset) => (rrset.type === QTYPE.A ? [] : rrset.records))),
    ).toEqual(['mail.example.com 2001:db8::25']);
  });
});
