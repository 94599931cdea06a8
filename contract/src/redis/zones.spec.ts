import { deleteKeys, TEST_REDIS_URL } from '@vigil/stack';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { CompiledRrset, CompiledZone } from '../compiled-zone';
import { redisKeys } from '../redis-keys';
import {
  damagedZones,
  DIGEST_FIELD,
  fieldDigest,
  parseDigest,
  parseStoredRrset,
  publishDelta,
  publishZone,
  readZone,
  rrsetField,
  storedRrset,
  ZoneDigest,
} from './zones';

const prefix = `vigiltest-zones-${randomBytes(4).toString('hex')}:`;
const redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 1 });
afterAll(async () => {
  redis.disconnect();
  await deleteKeys(TEST_REDIS_URL, prefix);
});

const soa = { mname: 'ns1.d.example', rname: 'admin.d.example', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 60, ttl: 60 };
const rrset = (name: string, ip: string): CompiledRrset => ({
  id: name,
  name,
  type: 'A',
  ttl: 60,
  records: [{ content: [ip], enabled: true, meta: {} }],
  pickers: [],
  failover: null,
});
const zone = (name: string, version: number, rrsets: CompiledRrset[]): CompiledZone => ({ format: 1, name, version, soa, rrsets });
const head = (name: string, version: number) => ({ format: 1 as const, name, version, soa });
const storedDigest = async (name: string) => parseDigest(await redis.hget(redisKeys.zone(name), DIGEST_FIELD));

/** The digest of what the hash holds, computed from scratch. */
async function recomputed(name: string) {
  const d = new ZoneDigest();
  const all = await redis.hgetall(redisKeys.zone(name));
  for (const [field, value] of Object.entries(all)) if (!field.startsWith('@')) d.add(field, Number(value.slice(0, value.indexOf(' '))));
  return { fields: d.fields, sum: d.sum };
}

describe('zone digest', () => {
  it('is the same in JS and in the delta script across upserts, deletions, re-upserts and stale changes', async () => {
    const name = 'd.example';
    await publishZone(redis, zone(name, 10, [rrset('a.d.example', '192.0.2.1'), rrset('b.d.example', '192.0.2.2')]));
    expect(await storedDigest(name)).toEqual(await recomputed(name));
    expect((await storedDigest(name))!.fields).toBe(2);

    // Random changes, some of them older than what Redis holds (skipped by the script).
    let version = 10;
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let step = 0; step < 60; step++) {
      const v = rand(4) === 0 ? version - rand(5) : ++version;
      const names = [0, 1].map(() => `h${rand(12)}.d.example`).filter((n, i, a) => a.indexOf(n) === i);
      const upserts = names.slice(0, rand(names.length + 1)).map((n) => rrset(n, `192.0.2.${rand(250) + 1}`));
      const deletes = names.slice(upserts.length).map((n) => ({ name: n, type: 'A' }));
      await publishDelta(redis, head(name, v), upserts, deletes);
      expect(await storedDigest(name)).toEqual(await recomputed(name));
    }
    const stored = await readZone(redis, name);
    expect(stored!.digestMatches).toBe(true);
  });

  it('tells a zone that lost a field, or gained one no change wrote, from an intact one', async () => {
    const names = ['lost.example', 'extra.example', 'stale.example', 'intact.example'];
    for (const n of names) await publishZone(redis, zone(n, 5, [rrset(`a.${n}`, '192.0.2.1'), rrset(`b.${n}`, '192.0.2.2')]));
    expect(await damagedZones(redis, names)).toEqual(new Set());
    await redis.hdel(redisKeys.zone('lost.example'), rrsetField('a.lost.example', 'A'));
    await redis.hset(
      redisKeys.zone('extra.example'),
      rrsetField('c.extra.example', 'A'),
      `5 ${JSON.stringify(rrset('c.extra.example', '192.0.2.3'))}`,
    );
    // Same number of fields, one at a version no publish wrote: only a read of the zone sees it.
    await redis.hset(
      redisKeys.zone('stale.example'),
      rrsetField('a.stale.example', 'A'),
      `4 ${JSON.stringify(rrset('a.stale.example', '192.0.2.9'))}`,
    );
    expect(await damagedZones(redis, [...names, 'gone.example'])).toEqual(new Set(['lost.example', 'extra.example', 'gone.example']));
    expect((await readZone(redis, 'stale.example'))!.digestMatches).toBe(false);
    expect((await readZone(redis, 'lost.example'))!.digestMatches).toBe(false);
    expect((await readZone(redis, 'intact.example'))!.digestMatches).toBe(true);
  });

  it('is left alone on a zone written before digests existed, which is then not checked', async () => {
    const name = 'old.example';
    await publishZone(redis, zone(name, 3, [rrset('a.old.example', '192.0.2.1')]));
    await redis.hdel(redisKeys.zone(name), DIGEST_FIELD);
    expect(await publishDelta(redis, head(name, 4), [rrset('b.old.example', '192.0.2.2')], [])).toBe('applied');
    expect(await redis.hexists(redisKeys.zone(name), DIGEST_FIELD)).toBe(0);
    expect((await readZone(redis, name))!.digestMatches).toBeNull();
    expect(await damagedZones(redis, [name])).toEqual(new Set());
  });

  it('hashes the field and the version (mod 2^32)', () => {
    expect(fieldDigest('a.example A', 1)).not.toBe(fieldDigest('a.example A', 2));
    expect(fieldDigest('a.example A', 1)).not.toBe(fieldDigest('b.example A', 1));
    const big = fieldDigest('x'.repeat(300) + ' TXT', 2 ** 40);
    expect(Number.isInteger(big) && big >= 0 && big < 2 ** 32).toBe(true);
  });
});

describe('stored record sets', () => {
  const base: CompiledRrset = {
    id: 'r1',
    name: 'www.s.example',
    type: 'A',
    ttl: 300,
    records: [
      { content: ['192.0.2.1'], enabled: true, meta: {} },
      { content: ['192.0.2.2'], enabled: true, meta: {} },
    ],
    pickers: [],
    failover: null,
  };
  const roundTrip = (r: CompiledRrset) => parseStoredRrset(rrsetField(r.name, r.type), storedRrset(7, r));

  it('keeps a plain record set in the plain form, and reads it back as it was', () => {
    expect(storedRrset(7, base)).toBe('7 ~300 r1 192.0.2.1 192.0.2.2');
    expect(roundTrip(base)).toEqual({ version: 7, rrset: base });
  });

  it('keeps JSON for anything the plain form cannot say, and reads that back too', () => {
    const rec = base.records[0]!;
    const others: CompiledRrset[] = [
      { ...base, records: [{ ...rec, enabled: false }] },
      { ...base, records: [{ ...rec, meta: { weight: 5 } }] },
      { ...base, pickers: [{ type: 'first_n', limit: 1, strict: false }] },
      { ...base, failover: { checkId: 'c1', check: { protocol: 'TCP', port: 80, frequency: 60, timeout: 5 } as never } },
      { ...base, type: 'TXT', records: [{ ...rec, content: ['two words'] }] },
      { ...base, type: 'MX', records: [{ ...rec, content: [10, 'mx.s.example.'] }] },
      { ...base, records: [] },
    ];
    for (const r of others) {
      expect(storedRrset(7, r)).toBe(`7 ${JSON.stringify(r)}`);
      expect(roundTrip(r)).toEqual({ version: 7, rrset: r });
    }
  });
});
