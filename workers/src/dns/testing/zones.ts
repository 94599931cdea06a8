// Builders of CompiledZone documents for tests, validated by the contract schema so a test can
// never feed the server something the api could not publish.
import {
  CompiledZoneSchema,
  type CompiledRrset,
  type CompiledZone,
  type Content,
  type Picker,
  type PublishedOverride,
  type RecordMeta,
  type RecordType,
} from '@vigil/contract';
import * as packet from 'dns-packet';
import { QTYPE } from '../constants';
import { buildZoneIndex, type ServedRecord, type ServedRrset, type ZoneIndex } from '../zone-index';

export interface RecordInput {
  content: Content;
  enabled?: boolean;
  meta?: RecordMeta;
}

export interface RrsetOptions {
  ttl?: number;
  pickers?: Picker[];
  /** A check id: the rrset then has failover and health applies. */
  failover?: string;
  /** With failover: the owner's drains and forced-ups. */
  overrides?: PublishedOverride[];
  /** With failover: fields of the check beside the default TCP one (min_healthy, …). */
  check?: Partial<NonNullable<CompiledRrset['failover']>['check']>;
}

let nextId = 1;

export function rr(name: string, type: RecordType, records: (RecordInput | string | Content)[], opts: RrsetOptions = {}): CompiledRrset {
  return {
    id: `rrset-${nextId++}`,
    name,
    type,
    ttl: opts.ttl ?? 300,
    records: records.map((r) => {
      const rec: RecordInput = typeof r === 'string' ? { content: [r] } : Array.isArray(r) ? { content: r } : r;
      return { content: rec.content, enabled: rec.enabled ?? true, meta: rec.meta ?? {} };
    }),
    pickers: opts.pickers ?? [],
    failover: opts.failover
      ? { checkId: opts.failover, check: { protocol: 'TCP', port: 80, frequency: 60, timeout: 5, ...opts.check }, ...(opts.overrides ? { overrides: opts.overrides } : {}) }
      : null,
  };
}

export function zone(
  name: string,
  rrsets: CompiledRrset[],
  opts: { version?: number; soaTtl?: number; minimum?: number } = {},
): CompiledZone {
  return CompiledZoneSchema.parse({
    format: 1,
    name,
    version: opts.version ?? 1,
    soa: {
      mname: `ns1.${name}`,
      rname: `hostmaster.${name}`,
      serial: opts.version ?? 1,
      refresh: 3600,
      retry: 600,
      expire: 604800,
      minimum: opts.minimum ?? 300,
      ttl: opts.soaTtl ?? 3600,
    },
    rrsets: [rr(name, 'NS', [`ns1.${name}`, `ns2.${name}`], { ttl: 86400 }), ...rrsets],
  });
}

export function index(z: CompiledZone): ZoneIndex {
  return buildZoneIndex(z).index;
}

/** A ServedRrset of A records for picker and health unit tests. */
export function servedA(records: RecordInput[], opts: RrsetOptions = {}): ServedRrset {
  const z = index(zone('unit.test', [rr('www.unit.test', 'A', records, opts)]));
  return z.nodes.get('www.unit.test')!.get(QTYPE.A)!;
}

/** A record's data as dns-packet decodes it (an A record's address, a CNAME's target, …). */
export const dataOf = (r: ServedRecord): unknown => {
  // A response holding just this record, owned by the root.
  const header = Buffer.from([0, 0, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  return (packet.decode(Buffer.concat([header, Buffer.from([0]), r.tail])).answers![0] as { data: unknown }).data;
};

export const contents = (records: readonly ServedRecord[]) => records.map(dataOf);
