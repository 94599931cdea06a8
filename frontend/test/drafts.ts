import type { Rrset } from '../src/api/types';
import { draftFromRrset } from '../src/lib/rrset';

/** The editor's draft of an A record set `www.<zone>` with one record whose check the API returned as `failover`. */
export const readBack = (failover: object | null | undefined, zone = 'example.com') =>
  draftFromRrset(
    {
      id: 'x',
      name: `www.${zone}`,
      type: 'A',
      ttl: 300,
      pickers: [],
      meta: { failover },
      resource_records: [{ id: 1, content: ['192.0.2.10'], enabled: true, meta: {} }],
    } as unknown as Rrset,
    zone,
  );
