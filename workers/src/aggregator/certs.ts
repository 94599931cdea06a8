// The certificate-expiry edges for notifications (a check's cert_expiry_days). The aggregators keep
// them because they take every probe result exactly once (their consumer group on the results
// feed); the rule is the contract's (cert.ts), the write a compare-and-set, so two aggregators
// handling two locations' readings of one address at once announce its change once.
import {
  certReading,
  type CertEvent,
  type CertReading,
  type CertState,
  CertStateSchema,
  healthField,
  nextCert,
  type ProbeReport,
  redisKeys,
  safeJson,
} from '@vigil/contract';
import { certCasBatch } from '@vigil/contract/redis';
import type { default as Redis } from 'ioredis';

/** How many times one address is read again after losing a compare-and-set, in one batch. */
const MAX_ROUNDS = 5;

const parseState = (raw: string | null): CertState | null => {
  if (!raw) return null;
  const parsed = CertStateSchema.safeParse(safeJson(raw));
  return parsed.success ? parsed.data : null;
};

/**
 * Folds the batch's certificate readings into each address's kept level: one pipelined read of
 * the states they touch, the rule in feed order, one compare-and-set per address that changed,
 * retried on a conflict. Several changes of one address in one batch make one event, from the
 * level it had to the one it reached. Returns the events written. A redelivered entry changes
 * nothing: its reading no longer moves the level.
 */
export async function recordCerts(redis: Redis, reports: readonly ProbeReport[]): Promise<CertEvent[]> {
  const byAddress = new Map<string, { checkId: string; address: string; readings: CertReading[] }>();
  for (const r of reports) {
    const reading = certReading(r);
    if (reading === null) continue;
    const field = healthField(r.checkId, r.address);
    const entry = byAddress.get(field) ?? byAddress.set(field, { checkId: r.checkId, address: r.address, readings: [] }).get(field)!;
    entry.readings.push(reading);
  }
  const written: CertEvent[] = [];
  let pending = [...byAddress.keys()];
  for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) {
    const raws = await redis.hmget(redisKeys.certState, ...pending);
    const cas = certCasBatch(redis);
    const tried: { field: string; event: CertEvent }[] = [];
    pending.forEach((field, i) => {
      const { checkId, address, readings } = byAddress.get(field)!;
      const change = foldCert(parseState(raws[i] ?? null), checkId, address, readings);
      if (!change) return;
      cas.add(raws[i] ?? '', change.state, change.event);
      tried.push({ field, event: change.event });
    });
    if (tried.length === 0) break;
    const replies = (await cas.exec()) ?? [];
    pending = [];
    tried.forEach((t, i) => {
      const [err, applied] = replies[i]!;
      if (err) throw err;
      if (applied === 1) written.push(t.event);
      else pending.push(t.field);
    });
  }
  return written;
}

/** The readings in order from `current`: the state reached and one event from where it started, or undefined. */
export function foldCert(
  current: CertState | null,
  checkId: string,
  address: string,
  readings: readonly CertReading[],
): { state: CertState | null; event: CertEvent } | undefined {
  let state = current;
  let first: CertEvent | undefined;
  let last: CertEvent | undefined;
  let renewed = false;
  for (const reading of readings) {
    const next = nextCert(state, checkId, address, reading);
    if (!next) continue;
    state = next.state;
    first ??= next.event;
    last = next.event;
    renewed ||= next.event.renewed;
  }
  if (!first || !last) return undefined;
  const event: CertEvent = { ...last, previous: first.previous, renewed };
  if (event.level === event.previous && !renewed) return undefined;
  return { state, event };
}
