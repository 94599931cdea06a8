import type { Redis } from 'ioredis';
import { type CompiledRrset, CompiledRrsetSchema, type CompiledZone, ZoneHeadSchema, type ZoneHead } from '../compiled-zone';
import type { FeedEvent } from '../feed';
import { safeJson } from '../json';
import { redisKeys } from '../redis-keys';
import { appendLua, scripts } from './scripts';

// A published zone is a hash: its head (`@zone`: format, name, version, SOA) and one field per
// record set (`<name> <type>`), each value `<version> <json>` (or the plain form, below, which a
// whole publish writes where it fits). A deleted record set leaves
// `<version> ` behind, so an older change that arrives later cannot bring it back. A change of a
// few record sets therefore writes those fields only, and a whole zone is written in chunks to a
// staging key that replaces the zone in one step.

export const HEAD_FIELD = '@zone';
/**
 * `<fields> <sum>`: how many record-set fields (upserts and deletions) the hash holds, and the sum
 * mod 2^32 of `fieldDigest` over them. The scripts keep it in step with every change; a reader
 * that scanned the zone checks what it read against it (a field missing, left over or at another
 * version), and the reconciler compares the count with HLEN. It hashes names and versions, not
 * record data, so a million fields cost milliseconds: a version is written once, and a damaged
 * value fails the envelope check. A zone written before the digest existed has none: not checked.
 */
export const DIGEST_FIELD = '@digest';
export const rrsetField = (name: string, type: string) => `${name} ${type}`;
/** Fields per HSET when a whole zone is written. */
const CHUNK = 1000;
/** A staging key that its writer abandoned expires. */
const STAGING_TTL_SECONDS = 600;
/** A change of more record sets than this is published as the whole zone instead. */
export const MAX_DELTA_RRSETS = 1000;

export interface ZoneEntry<T> {
  version: number;
  /** null: deleted at `version`. */
  value: T | null;
}

const entry = (version: number, json: string) => `${version} ${json}`;

/**
 * A plain record set (no pickers, no failover, every record enabled, without meta, each with one
 * content string without whitespace: nearly every A, AAAA, CNAME of a large zone) is stored as
 * `~<ttl> <id> <content> <content>…` rather than JSON; name and type are the field's. Decoding
 * it is a few slices, where JSON.parse of a million record sets takes seconds of a DNS server's
 * start and leaves as much again to the garbage collector.
 */
const PLAIN = '~';
const PLAIN_CODE = PLAIN.charCodeAt(0);
const NO_SPACE = /^\S+$/;

function plainForm(r: CompiledRrset): string | null {
  if (r.pickers.length !== 0 || r.failover !== null || r.records.length === 0) return null;
  let out = `${PLAIN}${r.ttl} ${r.id}`;
  for (const rec of r.records) {
    const c = rec.content[0];
    if (!rec.enabled || rec.content.length !== 1 || typeof c !== 'string' || !NO_SPACE.test(c)) return null;
    for (const _ in rec.meta) return null;
    out += ` ${c}`;
  }
  return NO_SPACE.test(r.id) ? out : null;
}

/** The value of a record-set field: plain form where it fits, else JSON. */
export const storedRrset = (version: number, r: CompiledRrset): string => entry(version, plainForm(r) ?? JSON.stringify(r));

/** A plain stored record set's TTL, id and contents; null when `body` (after the version) is not one. */
export function parsePlain(body: string): { ttl: number; id: string; contents: string[] } | null {
  if (body.charCodeAt(0) !== PLAIN_CODE) return null;
  // indexOf and slices rather than split: this runs once per record set of a million-record load.
  const a = body.indexOf(' ');
  const b = a < 0 ? -1 : body.indexOf(' ', a + 1);
  const ttl = a > 1 ? Number(body.slice(1, a)) : NaN;
  if (b < 0 || b === a + 1 || b === body.length - 1 || !Number.isInteger(ttl)) return null;
  const rest = body.slice(b + 1);
  return { ttl, id: body.slice(a + 1, b), contents: rest.includes(' ') ? rest.split(' ') : [rest] };
}

const NO_META = Object.freeze({});
const NO_PICKERS = Object.freeze([]) as unknown as CompiledRrset['pickers'];

const TWO_32 = 4294967296;

/** One field's share of the digest: djb2 over the (ASCII) field, then the version; as ZONE_DELTA's `fd`. */
export function fieldDigest(field: string, version: number): number {
  // Int32 arithmetic wraps mod 2^32 as the script's doubles do; far cheaper than % on a million fields.
  let h = 5381;
  for (let i = 0; i < field.length; i++) h = (Math.imul(h, 33) + field.charCodeAt(i)) | 0;
  return (Math.imul(h, 33) + version) >>> 0;
}

/** The digest of the record-set fields added to it. */
export class ZoneDigest {
  fields = 0;
  sum = 0;

  add(field: string, version: number): void {
    this.fields++;
    this.sum = (this.sum + fieldDigest(field, version)) % TWO_32;
  }

  equals(other: { fields: number; sum: number }): boolean {
    return this.fields === other.fields && this.sum === other.sum;
  }

  toString(): string {
    return `${this.fields} ${this.sum}`;
  }
}

/** A stored `@digest` value; null when absent or not one. */
export function parseDigest(raw: string | null | undefined): { fields: number; sum: number } | null {
  const m = raw ? /^(\d+) (\d+)$/.exec(raw) : null;
  return m ? { fields: Number(m[1]), sum: Number(m[2]) } : null;
}

/** `<version> <json>` → its parts; null when it is not one. */
export function parseEntry(raw: string): { version: number; json: string } | null {
  const space = raw.indexOf(' ');
  const version = Number(raw.slice(0, space));
  return space > 0 && Number.isSafeInteger(version) ? { version, json: raw.slice(space + 1) } : null;
}

/**
 * Full publish. KEYS: staging, zone, index, tombstones, feed. ARGV: name, version, event.
 * Refuses a version older than the one held (the same version only when the zone's data is
 * gone or has lost or gained fields its digest does not count: the reconciler's repair) or than
 * the zone's deletion.
 */
const ZONE_REPLACE = `
local held = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '-1')
local dead = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '-1')
local v = tonumber(ARGV[2])
local function intact()
  local n = tonumber(string.match(redis.call('HGET', KEYS[2], '${DIGEST_FIELD}') or '', '^(%d+) '))
  local len = redis.call('HLEN', KEYS[2])
  return len > 0 and (n == nil or len == n + 2)
end
if v < held or v <= dead or (v == held and intact()) then
  redis.call('UNLINK', KEYS[1])
  return 0
end
redis.call('UNLINK', KEYS[2])
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('PERSIST', KEYS[2])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[4], ARGV[1])
${appendLua('KEYS[5]', 'ARGV[3]')}
return 1`;

/**
 * Delta. KEYS: zone, index, tombstones, feed. ARGV: name, version, head JSON, number of upserts,
 * then (field, JSON) per upsert, then one field per delete. Each field is written only when what
 * Redis holds for it is older; the feed event carries exactly what was written, so a reader of
 * the feed arrives at the same state. -1: the zone is deleted; -2: it is not published (the caller
 * publishes it whole).
 */
const ZONE_DELTA = `
local v = tonumber(ARGV[2])
local dead = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '-1')
if v <= dead then return -1 end
if redis.call('EXISTS', KEYS[1]) == 0 then return -2 end
local function held(field)
  local e = redis.call('HGET', KEYS[1], field)
  if not e then return -1 end
  return tonumber(string.match(e, '^(%d+)'))
end
local function fd(field, ver)
  local h = 5381
  for c = 1, #field do h = (h * 33 + string.byte(field, c)) % 4294967296 end
  return (h * 33 + ver) % 4294967296
end
local dn, ds = string.match(redis.call('HGET', KEYS[1], '${DIGEST_FIELD}') or '', '^(%d+) (%d+)$')
dn, ds = tonumber(dn), tonumber(ds)
-- Writes the field at v when what is held is older, keeping the digest (if the zone has one) in step.
local function put(field, value)
  local h = held(field)
  if h >= v then return false end
  redis.call('HSET', KEYS[1], field, ARGV[2] .. ' ' .. value)
  if dn then
    if h < 0 then dn = dn + 1 else ds = (ds - fd(field, h)) % 4294967296 end
    ds = (ds + fd(field, v)) % 4294967296
  end
  return true
end
local up, del = {}, {}
local n = tonumber(ARGV[4])
local i = 5
for _ = 1, n do
  if put(ARGV[i], ARGV[i + 1]) then up[#up + 1] = ARGV[i + 1] end
  i = i + 2
end
while i <= #ARGV do
  if put(ARGV[i], '') then del[#del + 1] = cjson.encode(ARGV[i]) end
  i = i + 1
end
if dn then redis.call('HSET', KEYS[1], '${DIGEST_FIELD}', string.format('%d %d', dn, ds)) end
local head = 'null'
if held('${HEAD_FIELD}') < v then
  redis.call('HSET', KEYS[1], '${HEAD_FIELD}', ARGV[2] .. ' ' .. ARGV[3])
  head = ARGV[3]
end
if tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1') < v then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
if #up + #del == 0 and head == 'null' then return 0 end
local event = '{"kind":"zone.delta","zone":' .. cjson.encode(ARGV[1]) .. ',"version":' .. ARGV[2] .. ',"head":' .. head ..
  ',"upserts":[' .. table.concat(up, ',') .. '],"deletes":[' .. table.concat(del, ',') .. ']}'
${appendLua('KEYS[4]', 'event')}
return 1`;

/** KEYS: zone, index, tombstones, feed. ARGV: name, version, event. */
const ZONE_DELETE = `
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
local v = tonumber(ARGV[2])
if v < held then return 0 end
redis.call('UNLINK', KEYS[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
${appendLua('KEYS[4]', 'ARGV[3]')}
return 1`;

const commands = {
  vigilZoneReplace: { numberOfKeys: 5, lua: ZONE_REPLACE },
  vigilZoneDelta: { numberOfKeys: 4, lua: ZONE_DELTA },
  vigilZoneDelete: { numberOfKeys: 4, lua: ZONE_DELETE },
};
/** Defines the zone scripts on the connection now (see defineScripts). */
export const defineZoneScripts = (redis: Redis): Redis => scripts(redis, commands);

type Run = (...args: (string | number)[]) => Promise<number>;
const run = (redis: Redis, name: keyof typeof commands): Run => {
  const r = scripts(redis, commands) as unknown as Record<string, Run>;
  return (...args) => r[name]!.apply(r, args);
};

const headOf = (zone: Pick<CompiledZone, 'format' | 'name' | 'version' | 'soa'>): ZoneHead => ({
  format: zone.format,
  name: zone.name,
  version: zone.version,
  soa: zone.soa,
});

/** The hash of a zone published whole at its version: field, value, field, value, … */
export function zoneFields(zone: CompiledZone): string[] {
  const digest = new ZoneDigest();
  const fields: string[] = [HEAD_FIELD, entry(zone.version, JSON.stringify(headOf(zone)))];
  for (const r of zone.rrsets) {
    const field = rrsetField(r.name, r.type);
    fields.push(field, storedRrset(zone.version, r));
    digest.add(field, zone.version);
  }
  fields.push(DIGEST_FIELD, digest.toString());
  return fields;
}

/**
 * Writes the zone's fields as they are, with no version check and no event: the staging step of
 * a full publish, and tests that stage a state Redis could be in.
 */
export async function writeZoneFields(redis: Redis, key: string, zone: CompiledZone): Promise<void> {
  const fields = zoneFields(zone);
  const p = redis.pipeline().unlink(key);
  for (let i = 0; i < fields.length; i += 2 * CHUNK) p.hset(key, ...fields.slice(i, i + 2 * CHUNK));
  await p.exec();
}

/** Publishes the whole zone and announces it; false when Redis holds a newer version or a newer deletion. */
export async function publishZone(redis: Redis, zone: CompiledZone): Promise<boolean> {
  const staging = `${redisKeys.zone(zone.name)}:staging:${zone.version}:${Math.random().toString(36).slice(2)}`;
  await writeZoneFields(redis, staging, zone);
  await redis.expire(staging, STAGING_TTL_SECONDS);
  const event: FeedEvent = { kind: 'zone.upsert', zone: zone.name, version: zone.version };
  const k = redisKeys;
  const done = await run(redis, 'vigilZoneReplace')(
    staging,
    k.zone(zone.name),
    k.zoneIndex,
    k.zoneTombstones,
    k.feed,
    zone.name,
    zone.version,
    JSON.stringify(event),
  );
  return done === 1;
}

export type DeltaOutcome = 'applied' | 'unchanged' | 'deleted' | 'unpublished';

/**
 * Publishes a change of some record sets at `version`: each upsert or delete is written unless
 * Redis holds something newer for it. 'unpublished' when the zone is not in Redis at all.
 */
export async function publishDelta(
  redis: Redis,
  head: ZoneHead,
  upserts: readonly CompiledRrset[],
  deletes: readonly { name: string; type: string }[],
): Promise<DeltaOutcome> {
  const k = redisKeys;
  const args: (string | number)[] = [head.name, head.version, JSON.stringify(head), upserts.length];
  for (const r of upserts) args.push(rrsetField(r.name, r.type), JSON.stringify(r));
  for (const d of deletes) args.push(rrsetField(d.name, d.type));
  const done = await run(redis, 'vigilZoneDelta')(k.zone(head.name), k.zoneIndex, k.zoneTombstones, k.feed, ...args);
  return done === 1 ? 'applied' : done === 0 ? 'unchanged' : done === -1 ? 'deleted' : 'unpublished';
}

/** Removes a zone, leaves a tombstone at `version`, and announces it; false when Redis holds a newer version. */
export async function unpublishZone(redis: Redis, name: string, version: number): Promise<boolean> {
  const event: FeedEvent = { kind: 'zone.delete', zone: name, version };
  const k = redisKeys;
  const done = await run(redis, 'vigilZoneDelete')(
    k.zone(name),
    k.zoneIndex,
    k.zoneTombstones,
    k.feed,
    name,
    version,
    JSON.stringify(event),
  );
  return done === 1;
}

/** A zone as stored: its head, and each record set (or deletion) with the version it was written at. */
export interface StoredZone {
  head: ZoneEntry<ZoneHead>;
  rrsets: Map<string, ZoneEntry<CompiledRrset>>;
  /** Fields that are not what the contract says, by name; the caller logs them. */
  invalid: string[];
  /** Whether the fields read agree with the zone's digest; null when it has none. */
  digestMatches: boolean | null;
}

/**
 * Reads a stored zone in chunks (HSCAN, so a large zone never blocks Redis); null when the zone is
 * not there or has no valid head. Each record set's envelope is checked against the contract.
 */
export async function readZone(redis: Redis, name: string): Promise<StoredZone | null> {
  const raw = new Map<string, string>();
  await scanZone(redis, name, (chunk) => {
    for (let i = 0; i + 1 < chunk.length; i += 2) raw.set(chunk[i]!, chunk[i + 1]!);
  });
  return decodeZone(raw);
}

/** The zone of a hash's fields; null without a valid head. */
export function decodeZone(raw: Map<string, string>): StoredZone | null {
  const zone = decodeHead(raw);
  if (!zone) return null;
  const read = new ZoneDigest();
  for (const [field, value] of raw) {
    if (field === HEAD_FIELD || field === DIGEST_FIELD) continue;
    // A field that is not a record set as the api writes it counts as a mismatch.
    read.add(field, decodeField(zone, field, value));
  }
  const stored = parseDigest(raw.get(DIGEST_FIELD));
  zone.digestMatches = stored && read.equals(stored);
  return zone;
}

function decodeHead(raw: Map<string, string>): StoredZone | null {
  const head = parseHead(raw.get(HEAD_FIELD) ?? null);
  return head && { head, rrsets: new Map(), invalid: [], digestMatches: null };
}

/** A zone's head field, checked against the contract; null when missing or not a head. */
export function parseHead(raw: string | null): ZoneEntry<ZoneHead> | null {
  const e = raw === null ? null : parseEntry(raw);
  const head = e ? ZoneHeadSchema.safeParse(safeJson(e.json)) : null;
  return e && head?.success ? { version: e.version, value: head.data } : null;
}

/** The field's version, or -1 when it is not a record set as the api writes it. */
function decodeField(zone: StoredZone, field: string, value: string): number {
  const e = parseStoredRrset(field, value);
  if (e && e.rrset === null) {
    zone.rrsets.set(field, { version: e.version, value: null });
    return e.version;
  }
  const r = e ? CompiledRrsetSchema.safeParse(e.rrset) : null;
  if (e && r?.success && field === rrsetField(r.data.name, r.data.type)) {
    zone.rrsets.set(field, { version: e.version, value: r.data });
    return e.version;
  }
  zone.invalid.push(field);
  return -1;
}

/**
 * The stored zone as a compiled zone (deletions left out), at the newest version it holds; its
 * record sets by name and type, as the api compiles them, unless `sorted` is false (a reader that
 * does not care about order, such as the DNS index, need not sort a large zone).
 */
export function compiledOf(stored: StoredZone, { sorted = true } = {}): CompiledZone {
  let version = stored.head.version;
  const rrsets: CompiledRrset[] = [];
  for (const e of stored.rrsets.values()) {
    version = Math.max(version, e.version);
    if (e.value) rrsets.push(e.value);
  }
  // A hash has no order of its own.
  if (sorted) rrsets.sort((a, b) => (a.name === b.name ? (a.type < b.type ? -1 : 1) : a.name < b.name ? -1 : 1));
  return { ...stored.head.value!, version, rrsets };
}

/**
 * A record-set field as the api writes it, trusting Redis: the entry and the record set's
 * envelope (name and type matching the field, TTL, lists of records and pickers) are checked,
 * not every record against the contract, so a reader can load a million of them in seconds.
 * rrset null: deleted at `version`. null: not such a field.
 */
export function parseStoredRrset(field: string, value: string): { version: number; rrset: CompiledRrset | null } | null {
  const e = parseEntry(value);
  if (e === null) return null;
  if (e.json === '') return { version: e.version, rrset: null };
  if (e.json[0] === PLAIN) {
    const p = parsePlain(e.json);
    const space = field.indexOf(' ');
    if (p === null || space <= 0) return null;
    const records = p.contents.map((c) => ({ content: [c], enabled: true, meta: NO_META }));
    const rrset = {
      id: p.id,
      name: field.slice(0, space),
      type: field.slice(space + 1),
      ttl: p.ttl,
      records,
      pickers: NO_PICKERS,
      failover: null,
    };
    return { version: e.version, rrset: rrset as CompiledRrset };
  }
  const r = safeJson(e.json) as Partial<CompiledRrset> | undefined;
  const ok =
    typeof r === 'object' &&
    r !== null &&
    typeof r.name === 'string' &&
    typeof r.type === 'string' &&
    field.length === r.name.length + 1 + r.type.length &&
    field === rrsetField(r.name, r.type) &&
    Number.isInteger(r.ttl) &&
    Array.isArray(r.records) &&
    Array.isArray(r.pickers) &&
    (r.failover === null || typeof r.failover === 'object');
  return ok ? { version: e.version, rrset: r as CompiledRrset } : null;
}

/**
 * Of these zones, those whose data is gone, or whose field count disagrees with their digest
 * (fields lost or left over): one HLEN and one HGET each, whatever the size of the zone.
 */
export async function damagedZones(redis: Redis, names: readonly string[]): Promise<Set<string>> {
  const damaged = new Set<string>();
  for (let i = 0; i < names.length; i += 1000) {
    const chunk = names.slice(i, i + 1000);
    const p = redis.pipeline();
    for (const n of chunk) p.hlen(redisKeys.zone(n)).hget(redisKeys.zone(n), DIGEST_FIELD);
    const replies = (await p.exec()) ?? [];
    chunk.forEach((n, j) => {
      const [e1, len] = replies[2 * j]!;
      const [e2, raw] = replies[2 * j + 1]!;
      if (e1 ?? e2) throw e1 ?? e2;
      const digest = parseDigest(raw as string | null);
      // The head and the digest are the two fields that are not record sets.
      if (len === 0 || (digest !== null && len !== digest.fields + 2)) damaged.add(n);
    });
  }
  return damaged;
}

/** The head of a stored zone, checked against the contract; null when missing or not one. */
export async function readHead(redis: Redis, name: string): Promise<ZoneEntry<ZoneHead> | null> {
  return parseHead(await redis.hget(redisKeys.zone(name), HEAD_FIELD));
}

/**
 * Every field of a stored zone, `count` at a time (HSCAN: Redis never blocks on a large zone, and
 * the reader holds one chunk, never the whole zone, in memory): field, value, field, value, …
 * A field may come twice, and one written during the scan may or may not come (SCAN's guarantees).
 */
export async function scanZone(
  redis: Redis,
  name: string,
  onChunk: (fields: string[]) => Promise<void> | void,
  count = CHUNK,
): Promise<void> {
  const key = redisKeys.zone(name);
  // The next chunk is asked for before this one is handled, so Redis and the reader work at once.
  let pending = redis.hscan(key, '0', 'COUNT', count);
  for (;;) {
    const [next, chunk] = await pending;
    if (next !== '0') pending = redis.hscan(key, next, 'COUNT', count);
    await onChunk(chunk);
    if (next === '0') return;
  }
}
