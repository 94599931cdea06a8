import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  countsIn,
  DEFAULT_QUORUM,
  type Failover,
  HealthStateSchema,
  type HealthStateName,
  healthField,
  isFresh,
  isoTime,
  isSilenced,
  modeAt,
  publishedOverrides,
  parseContent,
  quorumPolicyOf,
  ProbeResultSchema,
  type RecordType,
  redisKeys,
  safeJson,
  tally,
} from '@vigil/contract';
import type Redis from 'ioredis';
import { Between, DataSource, MoreThanOrEqual } from 'typeorm';
import { Account } from '../accounts/account.entity';
import type { AccountPrincipal } from '../auth/principal';
import { notFound } from '../common/errors';
import type { PageQuery } from '../common/pagination';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { failoverApplies } from '../publishing/failover';
import { REDIS } from '../redis/redis.module';
import { Rrset } from '../rrsets/rrset.entity';
import { currentOverrides, overrideView, served } from '../overrides/view';
import { RrsetsService } from '../rrsets/rrsets.service';
import { zoneName } from '../zones/zones.service';
import { HealthEvent } from './health-event.entity';
import { readSites, siteState } from './sites';
import { type Transition, uptimeRatio } from './uptime';

const DAY = 24 * 3600_000;

interface Timeline {
  initial: HealthStateName | null;
  transitions: Transition[];
}

/** Uptime over [from, to) from a timeline that starts at or before `from`, rounded to 5 digits. */
function uptime(t: Timeline | undefined, from: number, to: number): number | null {
  if (!t) return null;
  // The state at `from` is the last transition before it, else the timeline's initial state.
  let initial = t.initial;
  const inside: Transition[] = [];
  for (const tr of t.transitions) {
    if (tr.at < from) initial = tr.state;
    else inside.push(tr);
  }
  const r = uptimeRatio(initial, inside, from, to);
  return r === null ? null : Math.round(r * 100000) / 100000;
}

/**
 * An address's state as the aggregator last wrote it (`raw`, its field of the health hash), or
 * unknown when nothing is decided yet or failover does not apply to the record set now.
 */
function addressState(
  raw: string | null,
  failover: boolean,
): { state: HealthStateName | 'unknown'; since: string | null; reasons: Record<string, string> } {
  // A value Redis holds in another shape (corrupt, or of a later version) reads as unknown, never a 500.
  const s = failover && raw ? HealthStateSchema.safeParse(safeJson(raw)) : null;
  const since = s?.success ? isoTime(s.data.since) : null;
  return s?.success && since !== null
    ? { state: s.data.state, since, reasons: s.data.reasons }
    : { state: 'unknown', since: null, reasons: {} };
}

/** How the check decides, with the sites it names that run nothing now. */
function quorumView(check: Failover, stateOf: Map<string, string>) {
  const reporting = [...stateOf].filter(([, state]) => state === 'reporting').map(([name]) => name).sort();
  const chosen = check.locations ?? null;
  return {
    available: check.quorum?.available ?? DEFAULT_QUORUM.available,
    unavailable: check.quorum?.unavailable ?? DEFAULT_QUORUM.unavailable,
    own: check.quorum !== undefined,
    locations: chosen,
    checking: chosen ? chosen.filter((l) => stateOf.get(l) === 'reporting') : reporting,
    not_checking: chosen ? chosen.filter((l) => stateOf.get(l) !== 'reporting') : [],
    min_locations: check.min_locations ?? 1,
    min_healthy: check.min_healthy ?? 1,
  };
}

/** The address a failover check probes: the record's first content field. */
const addressOf = (rec: Rrset['resourceRecords'][number]) => String(rec.content[0]);

/**
 * The same for a record as the API shows it, whose CNAME target is as sent (`Lb1.example.net.`):
 * canonical again (`lb1.example.net`), as stored and as the probes and the history key it.
 */
const shownAddressOf = (type: string, rec: Rrset['resourceRecords'][number]) => {
  const c = parseContent(type as RecordType, rec.content);
  return c.ok ? String(c.content[0]) : addressOf(rec);
};

/** A row of the zone read-out's query: a failover record set, or nulls alone for a zone without any. */
interface FailoverRow extends Pick<Rrset, 'type' | 'meta'> {
  id: string | null;
  name: string;
  resource_records: Rrset['resourceRecords'];
}

@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rrsets: RrsetsService,
  ) {}

  /** State of each address now, with each location's last result and the uptime. */
  async current(p: AccountPrincipal, zone: string, name: string, type: string) {
    const view = await this.rrsets.get(p, zone, name, type);
    const account = await this.ds.getRepository(Account).findOneByOrFail({ id: p.accountId });
    const check = failoverApplies(view, account.features);
    const failover = check !== null;
    const policy = check ? quorumPolicyOf(check) : undefined;
    const slackMs = this.config.FRESHNESS_SLACK_SECONDS * 1000;
    const now = Date.now();
    const [timelines, known, entity] = await Promise.all([
      this.timelines(view.id, now - 7 * DAY),
      readSites(this.redis),
      this.ds.getRepository(Rrset).findOneByOrFail({ id: view.id }),
    ]);
    const overrides = currentOverrides(entity, now);
    const published = publishedOverrides(overrides, now);
    const sites = known.map((s) => ({ ...s, state: siteState(s.lastHeartbeat, now) }));
    const stateOf = new Map(sites.map((s) => [s.name, s.state]));
    const addresses = await Promise.all(
      view.resource_records.map(async (rec) => {
        const address = shownAddressOf(view.type, rec);
        const [stateRaw, results] = await Promise.all([
          this.redis.hget(redisKeys.health, healthField(view.id, address)),
          this.redis.hgetall(redisKeys.results(view.id, address)),
        ]);
        const parsedResults = Object.values(results).flatMap((raw) => {
          const parsed = ProbeResultSchema.safeParse(safeJson(raw));
          return parsed.success && isoTime(parsed.data.at) !== null ? [parsed.data] : [];
        });
        // Counted by the check as saved: the aggregators follow it from its next results on.
        const counts = tally(parsedResults, now, policy, slackMs);
        const locations = parsedResults
          .map((r) => {
            const at = isoTime(r.at)!;
            const fresh = isFresh(r, now, slackMs);
            // A location no longer in the heartbeat set (forgotten, or a Redis that lost it) is gone.
            const site_state = stateOf.get(r.location) ?? 'gone';
            const warning = r.warning ?? null;
            const cert_days_left = r.cert_days_left ?? null;
            const counted = fresh && countsIn(policy, r.location);
            return { location: r.location, ok: r.ok, latency_ms: r.latency_ms, error: r.error, warning, cert_days_left, at, fresh, counted, site_state };
          })
          .sort((a, b) => a.location.localeCompare(b.location));
        const mine = published.filter((o) => o.address === address);
        return {
          address,
          enabled: rec.enabled,
          ...addressState(stateRaw, failover),
          override: failover ? modeAt(mine, now) : null,
          in_maintenance: failover && isSilenced(overrides, address, now),
          locations: failover ? locations : [],
          fresh_locations: failover ? counts.fresh : 0,
          min_locations_met: failover && counts.minMet,
          uptime: {
            '24h': uptime(timelines.get(address), now - DAY, now),
            '7d': uptime(timelines.get(address), now - 7 * DAY, now),
          },
        };
      }),
    );
    return {
      name: view.name,
      type: view.type,
      failover,
      locations: sites.filter((s) => s.state === 'reporting').map((s) => s.name),
      sites: sites.filter((s) => s.state !== 'gone').map((s) => ({ name: s.name, state: s.state, last_heartbeat: s.lastHeartbeatIso })),
      quorum: check ? quorumView(check, stateOf) : null,
      addresses,
      // What DNS answers now by the shared rule (drains, forced-ups, health, fail open).
      serving: failover
        ? served(entity, overrides, now, new Set(addresses.filter((a) => a.state === 'unavailable').map((a) => a.address))).any
        : addresses.filter((a) => a.enabled).map((a) => a.address),
      overrides: overrides.map((o) => overrideView(o, now)),
    };
  }

  /**
   * Every failover record set of the caller's zone with its addresses' states, for the zone page:
   * one query for the zone and its record sets, one for the account and one Redis read, however
   * many record sets and addresses the zone has.
   */
  async zone(p: AccountPrincipal, zone: string) {
    const name = zoneName(zone, 'zone');
    // A LEFT JOIN, so that a zone without failover record sets is one row of nulls, not "not found".
    const rows: FailoverRow[] = await this.ds.query(
      `SELECT r.id, r.name, r.type, r.resource_records, r.meta FROM zones z
         LEFT JOIN rrsets r ON r.zone_id = z.id AND jsonb_typeof(r.meta->'failover') = 'object'
        WHERE z.name = $1 AND z.account_id = $2 ORDER BY r.name, r.type`,
      [name, p.accountId],
    );
    if (rows.length === 0) throw notFound('zone');
    const account = await this.ds.getRepository(Account).findOneByOrFail({ id: p.accountId });
    const rrsets = rows
      .filter((r) => r.id !== null)
      .map((r) => ({ ...r, id: r.id!, failover: failoverApplies(r, account.features) !== null }));
    // Where failover does not apply every state is unknown, so there is nothing to read.
    const fields = rrsets.flatMap((r) => (r.failover ? r.resource_records.map((rec) => healthField(r.id, addressOf(rec))) : []));
    const raw = fields.length ? await this.redis.hmget(redisKeys.health, ...fields) : [];
    const stored = new Map(fields.map((f, i) => [f, raw[i] ?? null]));
    return {
      rrsets: rrsets.map((r) => {
        const addresses = r.resource_records.map((rec) => {
          const address = addressOf(rec);
          const { state, since } = addressState(stored.get(healthField(r.id, address)) ?? null, r.failover);
          return { address, enabled: rec.enabled, state, since };
        });
        const count = (state: string) => addresses.filter((a) => a.state === state).length;
        return {
          name: r.name,
          type: r.type,
          failover: r.failover,
          addresses,
          counts: { available: count('available'), unavailable: count('unavailable'), unknown: count('unknown') },
        };
      }),
    };
  }

  /** Transitions, newest first, optionally for one address and a time range. */
  async events(
    p: AccountPrincipal,
    zone: string,
    name: string,
    type: string,
    q: PageQuery & { from?: string; to?: string; address?: string },
  ) {
    const view = await this.rrsets.get(p, zone, name, type);
    const from = q.from ? new Date(q.from) : new Date(0);
    const to = q.to ? new Date(q.to) : new Date(8.64e15);
    const [rows, total] = await this.ds.getRepository(HealthEvent).findAndCount({
      where: { rrsetId: view.id, at: Between(from, to), ...(q.address ? { address: q.address } : {}) },
      order: { at: 'DESC', id: 'DESC' },
      take: q.limit,
      skip: q.offset,
    });
    return {
      events: rows.map((e) => ({ address: e.address, state: e.state, at: e.at.toISOString(), reasons: e.reasons })),
      total_amount: total,
    };
  }

  /**
   * Each address's transitions since `from`, with the last one before it (its state at `from`):
   * two queries for the whole record set, whatever its number of addresses.
   */
  private async timelines(rrsetId: string, from: number): Promise<Map<string, Timeline>> {
    const before: { address: string; state: HealthStateName }[] = await this.ds.query(
      `SELECT DISTINCT ON (address) address, state FROM health_events
        WHERE rrset_id = $1 AND at < $2 ORDER BY address, at DESC, id DESC`,
      [rrsetId, new Date(from)],
    );
    const inside = await this.ds.getRepository(HealthEvent).find({
      where: { rrsetId, at: MoreThanOrEqual(new Date(from)) },
      order: { at: 'ASC', id: 'ASC' },
    });
    const out = new Map<string, Timeline>();
    const of = (address: string) => out.get(address) ?? out.set(address, { initial: null, transitions: [] }).get(address)!;
    for (const b of before) of(b.address).initial = b.state;
    for (const e of inside) of(e.address).transitions.push({ state: e.state, at: e.at.getTime() });
    return out;
  }
}
