import { z } from 'zod';
import { OverrideSchema } from '../../overrides/dto/override.dto';
import { SiteStateSchema } from '../sites';

const LocationResultSchema = z.object({
  location: z.string(),
  ok: z.boolean(),
  latency_ms: z.number().nullable(),
  error: z.string().nullable(),
  warning: z.string().nullable().meta({
    description: 'A caveat of the last result, passing or not, e.g. "certificate expires in 3 days (2026-12-06)"; null when none',
  }),
  cert_days_left: z
    .int()
    .nullable()
    .meta({ description: 'HTTPS checks with cert_expiry_days: whole days until the certificate expires; null otherwise' }),
  at: z.string(),
  fresh: z.boolean().meta({ description: 'Reported within the last two periods, so it counts in the quorum' }),
  counted: z.boolean().meta({ description: "Fresh and from a location the check's `locations` names (all when it names none): it counts in the quorum" }),
  site_state: SiteStateSchema,
});

/** The check's quorum as the aggregators apply it (Vigil's own fields of meta.failover, or the defaults). */
export const QuorumViewSchema = z.object({
  available: z.number().meta({ description: 'Share of the fresh locations that must succeed for available' }),
  unavailable: z.number().meta({ description: 'Share of the fresh locations that must fail for unavailable' }),
  own: z.boolean().meta({ description: "true: the check's own `quorum`; false: the defaults (0.85 and 0.2 unless the installation's aggregators are set otherwise)" }),
  locations: z.array(z.string()).nullable().meta({ description: 'The sites the check names (meta.failover.locations); null: every site' }),
  checking: z.array(z.string()).meta({ description: 'The sites given the check now: those of `locations` (or all) that are reporting' }),
  not_checking: z.array(z.string()).meta({ description: 'Sites the check names that are not reporting (stale, or not known any more): they run no check now' }),
  min_locations: z.int().meta({ description: 'Fresh location results an address needs for a verdict; with fewer its state stays' }),
  min_healthy: z.int().meta({ description: 'With fewer addresses up, DNS serves the backups that are up, else every address' }),
});

/** A probe site as its heartbeat describes it. */
export const SiteSchema = z.object({
  name: z.string(),
  state: SiteStateSchema,
  last_heartbeat: z.string().meta({ description: "The site's last heartbeat (ISO 8601)" }),
});

export const AddressHealthSchema = z.object({
  address: z.string(),
  enabled: z.boolean(),
  state: z.enum(['available', 'unavailable', 'unknown']),
  since: z.string().nullable(),
  reasons: z.record(z.string(), z.string()),
  override: z
    .enum(['drain', 'force_up'])
    .nullable()
    .meta({ description: 'drain: left out of answers now whatever its health; force_up: served now even while it fails' }),
  in_maintenance: z.boolean().meta({ description: 'In a maintenance window (or drained) now: its failures alert no one' }),
  locations: z.array(LocationResultSchema),
  fresh_locations: z.int().meta({ description: 'How many counted location results are fresh now' }),
  min_locations_met: z
    .boolean()
    .meta({ description: 'Whether fresh_locations reaches the check\'s min_locations: without it the address gets no verdict and keeps its state' }),
  uptime: z.object({ '24h': z.number().nullable(), '7d': z.number().nullable() }),
});

export const RrsetHealthSchema = z.object({
  name: z.string(),
  type: z.string(),
  failover: z.boolean().meta({ description: 'Whether health checks apply now (failover set and the beta feature enabled)' }),
  locations: z.array(z.string()).meta({ description: 'The sites reporting now (those given checks)' }),
  sites: z.array(SiteSchema).meta({ description: 'Every site reporting or stale, with its state; a gone site is left out' }),
  quorum: QuorumViewSchema.nullable().meta({ description: 'How the check decides: its thresholds, sites and minimums; null when failover does not apply' }),
  addresses: z.array(AddressHealthSchema),
  serving: z.array(z.string()).meta({ description: 'The addresses DNS answers with now (overrides, health, fail open; before pickers)' }),
  overrides: z.array(OverrideSchema).meta({ description: 'Drains, forced-ups and maintenance windows that have not ended' }),
});

/** The zone page's read-out: every failover record set of the zone, its addresses' states and their counts. */
export const ZoneHealthSchema = z.object({
  rrsets: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      failover: RrsetHealthSchema.shape.failover,
      addresses: z.array(AddressHealthSchema.pick({ address: true, enabled: true, state: true, since: true })),
      counts: z.object({ available: z.number(), unavailable: z.number(), unknown: z.number() }),
    }),
  ),
});

export const HealthEventsQuerySchema = z.object({
  from: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
  to: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
  address: z.string().max(64).optional(),
});

export const HealthEventListSchema = z.object({
  events: z.array(
    z.object({
      address: z.string(),
      state: z.enum(['available', 'unavailable']),
      at: z.string(),
      reasons: z.record(z.string(), z.string()),
    }),
  ),
  total_amount: z.number(),
});
