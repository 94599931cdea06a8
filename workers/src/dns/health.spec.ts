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

describe('healthFilter with backup records (meta.backup)', () => {
  const withBackup = servedA(
    [
      { content: ['192.0.2.1'] },
      { content: ['192.0.2.2'] },
      { content: ['198.51.100.1'], meta: { backup: true } },
      { content: ['198.51.100.2'], meta: { backup: true } },
    ],
    { failover: 'chk' },
  );
  const down = (...addresses: string[]) => {
    const t = new HealthTable();
    for (const a of addresses) t.apply({ checkId: 'chk', address: a, state: 'unavailable' });
    return t;
  };

  it('serves the other records while any of them is up, never a backup', () => {
    expect(withBackup.backups).toBe(true);
    expect(contents(healthFilter(withBackup.records, 'chk', down(), true))).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(contents(healthFilter(withBackup.records, 'chk', down('192.0.2.1'), true))).toEqual(['192.0.2.2']);
  });

  it('serves the healthy backups once every other record is down, and fails open with all when they are down too', () => {
    expect(contents(healthFilter(withBackup.records, 'chk', down('192.0.2.1', '192.0.2.2'), true))).toEqual([
      '198.51.100.1',
      '198.51.100.2',
    ]);
    expect(contents(healthFilter(withBackup.records, 'chk', down('192.0.2.1', '192.0.2.2', '198.51.100.1'), true))).toEqual([
      '198.51.100.2',
    ]);
    expect(contents(healthFilter(withBackup.records, 'chk', down('192.0.2.1', '192.0.2.2', '198.51.100.1', '198.51.100.2'), true))).toEqual(
      ['192.0.2.1', '192.0.2.2', '198.51.100.1', '198.51.100.2'],
    );
  });

  it('keeps backups out of a set without failover, unless every record is one', () => {
    const plain = servedA([{ content: ['192.0.2.1'] }, { content: ['198.51.100.1'], meta: { backup: true } }]);
    expect(contents(healthFilter(plain.records, plain.checkId, new HealthTable(), plain.backups))).toEqual(['192.0.2.1']);
    const onlyBackups = servedA([{ content: ['198.51.100.1'], meta: { backup: true } }]);
    expect(contents(healthFilter(onlyBackups.records, null, new HealthTable(), true))).toEqual(['198.51.100.1']);
  });
});

describe('healthFilter with drains and forced-ups', () => {
  const open = { until: null, every: null, last: null };
  const now = Date.now();
  const overridden = servedA([{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }, { content: ['192.0.2.3'] }], {
    failover: 'chk',
    overrides: [
      { address: '192.0.2.1', mode: 'drain', from: now - 1000, ...open },
      { address: '192.0.2.2', mode: 'force_up', from: now - 1000, ...open },
      // A window that starts in an hour changes nothing yet.
      { address: '192.0.2.3', mode: 'drain', from: now + 3600_000, until: now + 7200_000, every: null, last: null },
    ],
  });
  const down = (...addresses: string[]) => {
    const t = new HealthTable();
    for (const a of addresses) t.apply({ checkId: 'chk', address: a, state: 'unavailable' });
    return t;
  };
  const filter = (t: HealthTable) => contents(healthFilter(overridden.records, 'chk', t, false, overridden.overrides));

  it('leaves a drained address out whatever its health, and serves a forced-up one while it fails', () => {
    expect(overridden.overrides).toBe(true);
    expect(set.overrides).toBe(false);
    expect(filter(new HealthTable())).toEqual(['192.0.2.2', '192.0.2.3']);
    expect(filter(down('192.0.2.2'))).toEqual(['192.0.2.2', '192.0.2.3']);
    expect(filter(down('192.0.2.3'))).toEqual(['192.0.2.2']);
    // Forced up counts as up, so the drained one is not served by failing open.
    expect(filter(down('192.0.2.1', '192.0.2.2', '192.0.2.3'))).toEqual(['192.0.2.2']);
  });

  it('keeps only the addresses it names', () => {
    expect(overridden.records.map((r) => r.overrides?.map((o) => o.mode) ?? null)).toEqual([['drain'], ['force_up'], ['drain']]);
  });
});

describe('healthFilter with min_healthy (the check\'s minimum of healthy addresses)', () => {
  const three = [{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }, { content: ['192.0.2.3'] }];
  const backups = [{ content: ['198.51.100.1'], meta: { backup: true } }, { content: ['198.51.100.2'], meta: { backup: true } }];
  const down = (...addresses: string[]) => {
    const t = new HealthTable();
    for (const a of addresses) t.apply({ checkId: 'chk', address: a, state: 'unavailable' });
    return t;
  };
  const filter = (set: ReturnType<typeof servedA>, t: HealthTable) =>
    contents(healthFilter(set.records, set.checkId, t, set.backups, set.overrides, set.minHealthy));

  it('is read from the published check (1 without one)', () => {
    expect(servedA(three, { failover: 'chk', check: { min_healthy: 2 } }).minHealthy).toBe(2);
    expect(servedA(three, { failover: 'chk' }).minHealthy).toBe(1);
  });

  it('serves the healthy ones while min_healthy are up, every address below it (no backups)', () => {
    const set = servedA(three, { failover: 'chk', check: { min_healthy: 2 } });
    expect(filter(set, down('192.0.2.1'))).toEqual(['192.0.2.2', '192.0.2.3']);
    expect(filter(set, down('192.0.2.1', '192.0.2.2'))).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    expect(healthFilter(set.records, set.checkId, down(), set.backups, set.overrides, set.minHealthy)).toBe(set.records);
  });

  it('serves the backups that are up below min_healthy', () => {
    const set = servedA([...three, ...backups], { failover: 'chk', check: { min_healthy: 2 } });
    expect(filter(set, down('192.0.2.1'))).toEqual(['192.0.2.2', '192.0.2.3']);
    expect(filter(set, down('192.0.2.1', '192.0.2.2'))).toEqual(['198.51.100.1', '198.51.100.2']);
    expect(filter(set, down('192.0.2.1', '192.0.2.2', '198.51.100.1', '198.51.100.2'))).toHaveLength(5);
  });

  it('counts a forced-up address as up and leaves a drained one out before counting', () => {
    const forever = { from: 0, until: null, every: null, last: null };
    const set = servedA([...three, ...backups], {
      failover: 'chk',
      check: { min_healthy: 2 },
      overrides: [
        { address: '192.0.2.1', mode: 'force_up', ...forever },
        { address: '192.0.2.3', mode: 'drain', ...forever },
      ],
    });
    // 192.0.2.1 forced up + 192.0.2.2 up: two, so no backups.
    expect(filter(set, down('192.0.2.1'))).toEqual(['192.0.2.1', '192.0.2.2']);
    // 192.0.2.2 down leaves one: the backups.
    expect(filter(set, down('192.0.2.2'))).toEqual(['198.51.100.1', '198.51.100.2']);
  });
});
