import { type CompiledRrset, type CompiledZone, publishedOverrides, type PublishedOverride, type ZoneHead } from '@vigil/contract';
import type { AccountFeatures } from '../accounts/account.entity';
import type { Rrset } from '../rrsets/rrset.entity';
import type { Zone } from '../zones/zone.entity';
import { failoverApplies } from './failover';

/** TTL of the SOA record itself; negative answers use min(this, nx_ttl) (RFC 2308). */
const SOA_TTL = 3600;

/** `hostmaster@example.com` → `hostmaster.example.com`, escaping dots in the local part (RFC 1035 §8). */
export function contactToRname(contact: string): string {
  const at = contact.lastIndexOf('@');
  const local = contact.slice(0, at).replace(/\./g, '\\.');
  return `${local}.${contact.slice(at + 1)}`.toLowerCase();
}

/** The zone without its record sets: what a delta carries beside the record sets it changes. */
export function compileHead(zone: Zone, version: number): ZoneHead {
  return {
    format: 1,
    name: zone.name,
    version,
    soa: {
      mname: zone.primaryServer,
      rname: contactToRname(zone.contact),
      serial: zone.serial % 2 ** 32,
      refresh: zone.refresh,
      retry: zone.retry,
      expire: zone.expiry,
      minimum: zone.nxTtl,
      ttl: SOA_TTL,
    },
  };
}

/** A record set as the DNS server reads it; one to which failover does not apply is served as a plain one. */
export function compileRrset(r: Rrset, features: AccountFeatures): CompiledRrset {
  const check = failoverApplies(r, features);
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    ttl: r.ttl,
    records: r.resourceRecords.map((rec) => ({ content: rec.content, enabled: rec.enabled, meta: rec.meta })),
    pickers: r.pickers,
    failover: check ? { checkId: r.id, check, ...withOverrides(r) } : null,
  };
}

/** The overrides that change answers, left out when there are none (most record sets). */
function withOverrides(r: Rrset): { overrides?: PublishedOverride[] } {
  if (!r.overrides?.length) return {};
  const published = publishedOverrides(r.overrides, Date.now());
  return published.length ? { overrides: published } : {};
}

/** The zone as the DNS server reads it. */
export function compileZone(zone: Zone, rrsets: Rrset[], features: AccountFeatures, version: number): CompiledZone {
  return { ...compileHead(zone, version), rrsets: rrsets.map((r) => compileRrset(r, features)) };
}
