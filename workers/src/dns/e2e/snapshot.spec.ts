// The local snapshot end to end: a server loads from Redis and writes it; started again while
// Redis is unreachable it answers from it (stale, says so); Redis coming back with an older or a
// newer state never takes a zone back in time, in memory or in the file. Its own Redis, killed and
// started again empty.
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisKeys } from '@vigil/contract';
import { directRedis, parseHead } from '@vigil/contract/redis';
import { startDnsServer, type DnsServer } from '../server';
import { openSnapshot } from '../snapshot';
import { aData, query, tcp, udp, until } from '../testing/client';
import { freePort, LocalRedis, RedisFixture } from '../testing/redis';
import { rr, zone } from '../testing/zones';
import { captureLogger, sample, scrape, testConfig } from './harness';

const PREFIX = `snaptest-${process.pid}:`;
const CHECK = 'chk-snapshot';

interface Running {
  server: DnsServer;
  logs: string[];
}

const metric = async (s: DnsServer, name: string, labels: Record<string, string> = {}) => sample(await scrape(s.metricsPort), name, labels);
const healthz = async (s: DnsServer) => {
  const res = await fetch(`http://127.0.0.1:${s.metricsPort}/healthz`);
  return { code: res.status, body: (await res.json()) as Record<string, unknown> & { snapshot?: Record<string, unknown> } };
};
const answers = async (port: number, name: string) => aData(await udp(port, query(name, 'A'))).sort();

/** The zone versions and header of the snapshot on disk. */
async function onDisk(path: string) {
  const file = (await openSnapshot(path, PREFIX))!;
  const versions: Record<string, number> = {};
  await file.readZones({
    zone: (name, head) => void (versions[name] = parseHead(head)!.version),
    fields: () => undefined,
    end: () => undefined,
  });
  await file.close();
  return { header: file.header, versions };
}

async function fill(fixture: RedisFixture, com: number, org: number) {
  await fixture.putZone(
    zone(
      'example.com',
      [rr('www.example.com', 'A', [`192.0.2.${com}`]), rr('app.example.com', 'A', ['198.51.100.1', '198.51.100.2'], { failover: CHECK })],
      { version: com },
    ),
  );
  await fixture.putZone(zone('example.org', [rr('www.example.org', 'A', [`203.0.113.${org}`])], { version: org }));
  await fixture.redis.set(fixture.key(redisKeys.published), '1');
}

describe('the local snapshot', () => {
  let local: LocalRedis;
  let fixture: RedisFixture;
  let dir: string;
  let path: string;
  const running: Running[] = [];

  const start = async (intervalSeconds = 1): Promise<Running> => {
    const logs: string[] = [];
    const server = await startDnsServer(
      testConfig({ redis: directRedis(local.url), redisKeyPrefix: PREFIX, snapshot: { path, intervalSeconds, waitSeconds: 1 } }),
      { logger: captureLogger(logs), blockMs: 500 },
    );
    const r = { server, logs };
    running.push(r);
    return r;
  };
  const stop = async (r: Running) => {
    running.splice(running.indexOf(r), 1);
    await r.server.stop();
  };

  beforeAll(async () => {
    local = new LocalRedis(await freePort());
    await local.start();
    fixture = new RedisFixture(local.url, PREFIX);
    dir = await mkdtemp(join(tmpdir(), 'vigil-dns-snapshot-'));
    path = join(dir, 'data', 'dns.snapshot');
  });

  afterAll(async () => {
    for (const r of running) await r.server.stop();
    fixture?.disconnect();
    await local?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let first: Running;
  let port: number;

  it('writes the snapshot once loaded from Redis', async () => {
    await fill(fixture, 5, 3);
    await fixture.setHealth(CHECK, '198.51.100.1', 'unavailable');
    first = await start();
    port = (await first.server.listening).port;
    expect(await answers(port, 'app.example.com')).toEqual(['198.51.100.2']);
    await until(
      'a snapshot written',
      async () => (await metric(first.server, 'vigil_dns_snapshot_writes_total', { result: 'written' })) === 1,
    );
    const disk = await onDisk(path);
    expect(disk.versions).toEqual({ 'example.com': 5, 'example.org': 3 });
    expect(disk.header).toMatchObject({ keyPrefix: PREFIX, published: true, zones: 2 });
    const h = await healthz(first.server);
    expect(h.code).toBe(200);
    expect(h.body).toMatchObject({ status: 'ok', source: 'redis', snapshot: { file: path, feedId: disk.header.feedId } });
    expect(await metric(first.server, 'vigil_dns_serving_snapshot')).toBe(0);
    await stop(first);
  });

  let second: Running;

  it('starts from the snapshot while Redis is unreachable: zones and health, stale in /healthz and metrics', async () => {
    await local.stop();
    const { header } = await onDisk(path);
    second = await start();
    port = (await second.server.listening).port;
    expect(await answers(port, 'www.example.com')).toEqual(['192.0.2.5']);
    expect(aData(await tcp(port, query('www.example.org', 'A')))).toEqual(['203.0.113.3']);
    // The address the health hash had down stays out.
    for (let i = 0; i < 4; i++) expect(await answers(port, 'app.example.com')).toEqual(['198.51.100.2']);
    const h = await healthz(second.server);
    expect(h.code).toBe(200);
    expect(h.body).toMatchObject({
      status: 'stale',
      source: 'snapshot',
      redisConnected: false,
      snapshot: { file: path, feedId: header.feedId, writtenAt: new Date(header.writtenAt).toISOString() },
    });
    expect(h.body.snapshot!.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(await metric(second.server, 'vigil_dns_serving_snapshot')).toBe(1);
    expect(await metric(second.server, 'vigil_dns_snapshot_loads_total', { result: 'loaded' })).toBe(1);
    expect(await metric(second.server, 'vigil_dns_snapshot_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(second.logs.some((l) => l.includes('answering from the snapshot'))).toBe(true);
  });

  it('Redis back with an older state: each zone keeps the newer of the two, and the file is not written back in time', async () => {
    const before = await readFile(path);
    await local.start();
    // A Redis filled anew by an api behind the snapshot for example.com (4 < 5), ahead for example.org (4 > 3).
    await fill(fixture, 4, 4);
    await until('loaded from Redis', async () => (await healthz(second.server)).body.status === 'ok', 20_000);
    expect(await metric(second.server, 'vigil_dns_serving_snapshot')).toBe(0);
    await until('example.org at version 4', async () => (await answers(port, 'www.example.org'))[0] === '203.0.113.4');
    expect(await answers(port, 'www.example.com')).toEqual(['192.0.2.5']);
    // Health is Redis's once it answers: this one has no state for the check, so both addresses are in.
    expect(await answers(port, 'app.example.com')).toEqual(['198.51.100.1', '198.51.100.2']);
    await until('a write refused for example.com', () =>
      second.logs.some((l) => l.includes('Redis has zone example.com at version 4, older than the 5 held')),
    );
    expect(await metric(second.server, 'vigil_dns_snapshot_writes_total', { result: 'older' })).toBeGreaterThanOrEqual(1);
    expect(await metric(second.server, 'vigil_dns_snapshot_writes_total', { result: 'written' })).toBeNull();
    expect(await readFile(path)).toEqual(before);
    expect(await answers(port, 'www.example.com')).toEqual(['192.0.2.5']);
  });

  it('Redis back with a newer change: served, and written to the file', async () => {
    await fill(fixture, 6, 4);
    await until('version 6', async () => (await answers(port, 'www.example.com'))[0] === '192.0.2.6');
    await until(
      'a snapshot written',
      async () => (await metric(second.server, 'vigil_dns_snapshot_writes_total', { result: 'written' }))! >= 1,
    );
    await until('version 6 on disk', async () => (await onDisk(path)).versions['example.com'] === 6);
    expect((await onDisk(path)).versions).toEqual({ 'example.com': 6, 'example.org': 4 });
    expect((await healthz(second.server)).body.status).toBe('ok');
  });

  it('once loaded from Redis it never goes back to the file: Redis gone again, it answers from memory', async () => {
    await local.stop();
    await until('the connection reported down', async () => (await metric(second.server, 'vigil_dns_redis_connected')) === 0);
    expect(await answers(port, 'www.example.com')).toEqual(['192.0.2.6']);
    expect((await healthz(second.server)).body).toMatchObject({ status: 'ok', source: 'redis' });
    expect(await metric(second.server, 'vigil_dns_serving_snapshot')).toBe(0);
    await stop(second);
  });

  it('refuses a corrupt snapshot and waits for Redis, answering nothing meanwhile', async () => {
    const bytes = await readFile(path);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x20;
    await writeFile(path, bytes);
    const third = await start();
    await until('the snapshot refused', () => third.logs.some((l) => l.includes('Snapshot refused (checksum mismatch')), 10_000);
    const h = await healthz(third.server);
    expect(h).toEqual({ code: 503, body: { status: 'loading' } });
    expect(await metric(third.server, 'vigil_dns_snapshot_loads_total', { result: 'refused' })).toBe(1);
    await local.start();
    await fill(fixture, 7, 4);
    const { port: p } = await third.server.listening;
    await until('version 7', async () => (await answers(p, 'www.example.com'))[0] === '192.0.2.7');
    expect((await healthz(third.server)).body.status).toBe('ok');
    // The refused file is replaced by one of what Redis holds.
    await until('both zones on disk', async () => JSON.stringify((await onDisk(path)).versions) === '{"example.com":7,"example.org":4}');
    expect(third.logs.some((l) => l.includes('The snapshot on disk is not usable; it will be replaced'))).toBe(true);
  });

  it('a server stopped writes what it applied since its last write, before it ends', async () => {
    // An interval no test waits out: only the load's own write and the one at stop can happen.
    const fourth = await start(3600);
    const { port: p } = await fourth.server.listening;
    await until(
      'the write after the load',
      async () => (await metric(fourth.server, 'vigil_dns_snapshot_writes_total', { result: 'written' })) === 1,
    );
    await fill(fixture, 8, 4);
    await until('version 8', async () => (await answers(p, 'www.example.com'))[0] === '192.0.2.8');
    expect((await onDisk(path)).versions['example.com']).toBe(7);
    await stop(fourth);
    expect((await onDisk(path)).versions).toEqual({ 'example.com': 8, 'example.org': 4 });
  });
});
