import { healthFilter, HealthTable } from './health';
import { contents, servedA } from './testing/zones';

const set = servedA([{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }, { content: ['192.0.2.3'] }], { failover: 'chk' });

describe('HealthTable', () => {
  it('tracks unavailable addresses by check and address', () => {
    const t = new HealthTable();
    t.apply({ checkId: 'chk', address: '192.0.2.1', state: 'unavailable' });
    expect(t.isUnavailable('chk/192.0.2.1')).toBe(true);
    expect(t.isUnavailable('other/192.0.2.1')).toBe(false);
    t.apply({ checkId: 'chk', address: '192.0.2.1', state: 'available' });
    expect(t.isUnavailable('chk/192.0.2.1')).toBe(false);
    t.replaceAll([
      { checkId: 'chk', address: '192.0.2.2', state: 'unavailable' },
      { checkId: 'chk', address: '192.0.2.3', state: 'available' },
    ]);
    expect(t.unavailableCount).toBe(1);
  });
});

describe('healthFilter', () => {
  it('leaves out unavailable addresses', () => {
    const t = new HealthTable();
    t.apply({ checkId: 'chk', address: '192.0.2.2', state: 'unavailable' });
    expect(contents(healthFilter(set.records, set.checkId, t))).toEqual(['192.0.2.1', '192.0.2.3']);
  });

  it('counts addresses without a state as available, and returns the rrset array itself', () => {
    expect(healthFilter(set.records, set.checkId, new HealthTable())).toBe(set.records);
  });

  it('fails open: when every address is unavailable, all are returned', () => {
    const t = new HealthTable();
    for (const a of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) t.apply({ checkId: 'chk', address: a, state: 'unavailable' });
    expect(contents(healthFilter(set.records, set.checkId, t))).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  });

  it('ignores health for sets without failover', () => {
    const plain = servedA([{ content: ['192.0.2.1'] }]);
    const t = new HealthTable();
    t.apply({ checkId: 'chk', address: '192.0.2.1', state: 'unavailable' });
    expect(contents(healthFilter(plain.records, plain.checkId, t))).toEqual(['192.0.2.1']);
  });
});
