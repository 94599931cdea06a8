// Per-check quorum and sites (issue 14): the check's own thresholds, probe sites, minimum of
// fresh locations and minimum of healthy addresses.
import { FailoverSchema } from './failover';
import { healthyRecords } from './health';
import { countsIn, type QuorumFields, quorumPolicyOf, tally } from './quorum';
import { checkRrsetForType, RrsetBodySchema } from './rrset';

const issues = (input: unknown) => {
  const r = FailoverSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const check: Record<string, unknown> & QuorumFields = { protocol: 'TCP', port: 443, frequency: 60, timeout: 5 };

describe('the quorum fields of a check', () => {
  it('keeps them as sent, and leaves them out when not sent (Gcore clients read back what they wrote)', () => {
    const own = { ...check, quorum: { available: 0.6, unavailable: 0.5 }, locations: ['eu-1', 'us-1', 'ap-1'], min_locations: 2, min_healthy: 2 };
    expect(FailoverSchema.parse(own)).toEqual(own);
    expect(Object.keys(FailoverSchema.parse(check)).sort()).toEqual(['frequency', 'port', 'protocol', 'timeout']);
  });

  it.each([
    [{ quorum: { available: 0, unavailable: 1 } }, ['quorum.available: must be a share more than 0 and at most 1, such as 0.85 for 85%']],
    [{ quorum: { available: 1.5, unavailable: 0.5 } }, ['quorum.available: must be a share more than 0 and at most 1, such as 0.85 for 85%']],
    [{ quorum: { available: 85, unavailable: 20 } }, [
      'quorum.available: must be a share more than 0 and at most 1, such as 0.85 for 85%',
      'quorum.unavailable: must be a share more than 0 and at most 1, such as 0.85 for 85%',
    ]],
    [{ quorum: { available: 0.9, unavailable: -0.1 } }, ['quorum.unavailable: must be a share more than 0 and at most 1, such as 0.85 for 85%']],
    [{ quorum: { available: '0.9', unavailable: 0.2 } }, ['quorum.available: must be a share more than 0 and at most 1, such as 0.85 for 85%']],
    [{ quorum: { available: 0.9 } }, ['quorum.unavailable: must be a share more than 0 and at most 1, such as 0.85 for 85%']],
    [{ quorum: { available: 0.9, unavailable: 0.2, majority: true } }, [`quorum: Unrecognized key: "majority"`]],
    [{ quorum: 0.85 }, ['quorum: must be an object {available, unavailable} of shares, such as {"available": 0.85, "unavailable": 0.2}']],
    [
      { quorum: { available: 0.5, unavailable: 0.5 } },
      ['quorum: available plus unavailable must be more than 1 (now 0.5 + 0.5), or a mix of results could count as both'],
    ],
    [{ locations: 'eu-1' }, ['locations: must be a list of probe site names, such as ["eu-1", "us-1"]']],
    [{ locations: [] }, ['locations: must name at least one probe site; leave it out for every site']],
    [{ locations: Array.from({ length: 51 }, (_, i) => `s-${i}`) }, ['locations: must name at most 50 sites']],
    [{ locations: ['eu-1', 'EU_2'] }, ['locations.1: must be lowercase letters, digits and "-" (at most 63), such as eu-1']],
    [{ locations: ['eu-1', 7] }, ['locations.1: must be the name of a probe site']],
    [{ locations: ['eu-1', 'us-1', 'eu-1'] }, ['locations.2: duplicates locations[0]']],
    [{ min_locations: 0 }, ['min_locations: must be at least 1']],
    [{ min_locations: 1.5 }, ['min_locations: must be an integer']],
    [{ locations: ['eu-1', 'us-1'], min_locations: 3 }, ['min_locations: must be at most 2, the number of locations chosen']],
    [{ min_healthy: 0 }, ['min_healthy: must be at least 1']],
    [{ min_healthy: '2' }, ['min_healthy: must be an integer']],
  ])('refuses %j with the field and the reason', (extra, expected) => {
    expect(issues({ ...check, ...extra })).toEqual(expected);
  });

  it('takes the edges: shares of 1, a location list at min_locations', () => {
    expect(issues({ ...check, quorum: { available: 1, unavailable: 1 } })).toEqual([]);
    expect(issues({ ...check, quorum: { available: 0.51, unavailable: 0.5 } })).toEqual([]);
    expect(issues({ ...check, locations: ['a', 'b-2'], min_locations: 2 })).toEqual([]);
  });
});

describe('min_healthy against the record set', () => {
  const rrsetIssues = (records: unknown[], minHealthy: number) => {
    const body = RrsetBodySchema.parse({ resource_records: records, meta: { failover: { ...check, min_healthy: minHealthy } } });
    return checkRrsetForType('A', body).issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const rec = (content: string, extra: object = {}) => ({ content: [content], ...extra });

  it('is at most the number of enabled records that are not backups', () => {
    const records = [rec('192.0.2.1'), rec('192.0.2.2'), rec('192.0.2.3', { enabled: false }), rec('198.51.100.1', { meta: { backup: true } })];
    expect(rrsetIssues(records, 2)).toEqual([]);
    expect(rrsetIssues(records, 3)).toEqual([
      'meta.failover.min_healthy: must be at most 2, the number of enabled records that are not backups',
    ]);
  });
});

describe('quorumPolicyOf: what a probe stamps on its results', () => {
  it('is nothing for a check with the defaults', () => {
    expect(quorumPolicyOf(check)).toBeUndefined();
  });

  it('carries the thresholds, the minimum and the sites that count', () => {
    expect(quorumPolicyOf({ quorum: { available: 0.6, unavailable: 0.5 } })).toEqual({ available: 0.6, unavailable: 0.5 });
    expect(quorumPolicyOf({ locations: ['a', 'b'], min_locations: 2 })).toEqual({ locations: ['a', 'b'], min_locations: 2 });
  });
});

describe('tally: the fresh results of the locations that count', () => {
  const NOW = 1_700_000_000_000;
  const r = (location: string, ok: boolean, at = NOW - 1000) => ({ location, ok, error: ok ? null : `${location} down`, at, frequency: 10 });
  const results = [r('a', true), r('b', false), r('c', true), r('d', false, NOW - 60_000)];

  it('counts every fresh location without a policy, one needed for a verdict', () => {
    expect(tally(results, NOW, undefined)).toEqual({ fresh: 3, ok: 2, failed: 1, reasons: { b: 'b down' }, minMet: true });
    expect(tally([], NOW, undefined).minMet).toBe(false);
  });

  it("counts only the chosen locations' results", () => {
    expect(tally(results, NOW, { locations: ['a', 'c', 'd'] })).toMatchObject({ fresh: 2, ok: 2, failed: 0, reasons: {} });
    expect(countsIn({ locations: ['a'] }, 'b')).toBe(false);
    expect(countsIn(undefined, 'b')).toBe(true);
  });

  it('meets min_locations only with that many fresh results', () => {
    expect(tally(results, NOW, { min_locations: 3 }).minMet).toBe(true);
    expect(tally(results, NOW, { min_locations: 4 }).minMet).toBe(false);
    // d's result is stale: it is not counted toward the minimum.
    expect(tally(results, NOW, { locations: ['a', 'd'], min_locations: 2 })).toMatchObject({ fresh: 1, minMet: false });
  });
});

describe('healthyRecords with min_healthy', () => {
  type R = { a: string; backup?: boolean };
  const isDown = (down: Set<string>, rec: R) => down.has(rec.a);
  const isBackup = (rec: R) => rec.backup === true;
  const primaries: R[] = [{ a: 'p1' }, { a: 'p2' }, { a: 'p3' }];
  const withBackups: R[] = [...primaries, { a: 'b1', backup: true }, { a: 'b2', backup: true }];
  const names = (rs: readonly R[]) => rs.map((x) => x.a);

  it('serves the healthy ones while at least min_healthy are up, then every record (fail open)', () => {
    expect(names(healthyRecords(primaries, new Set(['p1']), isDown, null, 2))).toEqual(['p2', 'p3']);
    expect(names(healthyRecords(primaries, new Set(['p1', 'p2']), isDown, null, 2))).toEqual(['p1', 'p2', 'p3']);
    // The default (1) keeps the one that is up.
    expect(names(healthyRecords(primaries, new Set(['p1', 'p2']), isDown, null))).toEqual(['p3']);
  });

  it('returns the records themselves when nothing is down or too few are up (no copy)', () => {
    expect(healthyRecords(primaries, new Set<string>(), isDown, null, 3)).toBe(primaries);
    expect(healthyRecords(primaries, new Set(['p1', 'p2']), isDown, null, 2)).toBe(primaries);
  });

  it('serves the backups that are up when fewer primaries than min_healthy are', () => {
    expect(names(healthyRecords(withBackups, new Set(['p1']), isDown, isBackup, 2))).toEqual(['p2', 'p3']);
    expect(names(healthyRecords(withBackups, new Set(['p1', 'p2']), isDown, isBackup, 2))).toEqual(['b1', 'b2']);
    expect(names(healthyRecords(withBackups, new Set(['p1', 'p2', 'b1']), isDown, isBackup, 2))).toEqual(['b2']);
    // Without min_healthy the one primary up is enough.
    expect(names(healthyRecords(withBackups, new Set(['p1', 'p2']), isDown, isBackup))).toEqual(['p3']);
  });

  it('fails open with every record when no backup is up either', () => {
    expect(names(healthyRecords(withBackups, new Set(['p1', 'p2', 'b1', 'b2']), isDown, isBackup, 2))).toEqual(names(withBackups));
  });
});
