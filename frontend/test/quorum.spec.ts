// The editor's model of a check's own quorum and sites (issue 14): draft ↔ API body, and the
// contract's reasons at the API's field paths.
import { buildBody, emptyRecord, newDraft, validateDraft, type RrsetDraft } from '../src/lib/rrset';
import { readBack } from './drafts';

const ZONE = 'example.com';

function aDraft(failover: Partial<RrsetDraft['failover']>, records = ['192.0.2.10', '192.0.2.11']): RrsetDraft {
  const d = newDraft('A');
  d.name = 'www';
  d.records = records.map((a) => ({ ...emptyRecord('A'), fields: [a] }));
  d.failover = { ...d.failover, enabled: true, protocol: 'TCP', port: '443', frequency: '30', timeout: '5', ...failover };
  return d;
}

describe('quorum and probe sites in the editor', () => {
  it('leaves them out when empty, as Gcore clients write a check', () => {
    expect(buildBody(aDraft({}), true).meta?.failover).toEqual({ protocol: 'TCP', port: 443, frequency: 30, timeout: 5, tls: false });
  });

  it('builds them as the API takes them, and reads them back', () => {
    const d = aDraft({ quorum_available: '0.6', quorum_unavailable: '0.5', locations: 'eu-1, us-1 ap-1', min_locations: '2', min_healthy: '2' });
    const failover = buildBody(d, true).meta?.failover;
    expect(failover).toMatchObject({
      quorum: { available: 0.6, unavailable: 0.5 },
      locations: ['eu-1', 'us-1', 'ap-1'],
      min_locations: 2,
      min_healthy: 2,
    });
    expect(validateDraft(d, ZONE, true)).toEqual({});
    const back = readBack(failover);
    expect(back.failover).toMatchObject({
      quorum_available: '0.6',
      quorum_unavailable: '0.5',
      locations: 'eu-1, us-1, ap-1',
      min_locations: '2',
      min_healthy: '2',
    });
  });

  it.each([
    [{ quorum_available: '0.6' }, 'meta.failover.quorum.unavailable', 'must be a share more than 0 and at most 1, such as 0.85 for 85%'],
    [{ quorum_available: '85', quorum_unavailable: '0.2' }, 'meta.failover.quorum.available', 'must be a share more than 0 and at most 1, such as 0.85 for 85%'],
    [
      { quorum_available: '0.5', quorum_unavailable: '0.4' },
      'meta.failover.quorum',
      'available plus unavailable must be more than 1 (now 0.5 + 0.4), or a mix of results could count as both',
    ],
    [{ locations: 'eu-1, EU_2' }, 'meta.failover.locations[1]', 'must be lowercase letters, digits and "-" (at most 63), such as eu-1'],
    [{ locations: 'eu-1, eu-1' }, 'meta.failover.locations[1]', 'duplicates locations[0]'],
    [{ locations: 'eu-1', min_locations: '2' }, 'meta.failover.min_locations', 'must be at most 1, the number of locations chosen'],
    [{ min_locations: '0' }, 'meta.failover.min_locations', 'must be at least 1'],
    [{ min_healthy: 'two' }, 'meta.failover.min_healthy', 'must be an integer'],
    [{ min_healthy: '3' }, 'meta.failover.min_healthy', 'must be at most 2, the number of enabled records that are not backups'],
  ])('%j: the API\'s reason at %s', (failover, field, reason) => {
    expect(validateDraft(aDraft(failover), ZONE, true)[field]).toBe(reason);
  });
});
