// The dns server on a real Redis primary, replicas and Sentinels: one reads from a site's replica
// (REDIS_READ_URL), one from the primary through the Sentinels; the primary is SIGKILLed.
import { redisKeys } from '@vigil/contract';
import { RedisEnvSchema, redisSettings } from '@vigil/contract/redis';
import { commandProblem, prerequisite, SentinelGroup } from '@vigil/stack';
import { startDnsServer, type DnsServer } from '../server';
import { aData, query, udp, until } from '../testing/client';
import { RedisFixture } from '../testing/redis';
import { rr, zone } from '../testing/zones';
import { captureLogger, testConfig } from './harness';

jest.setTimeout(120_000);

const haveRedis = prerequisite('redis-server', commandProblem('redis-server', ['--version']));

(haveRedis ? describe : describe.skip)('the dns server across a Sentinel failover', () => {
  // The site's replica is never promoted (priority 0), as a read replica far from the core.
  const group = new SentinelGroup({ replicas: 2, priorities: [0, 100] });
  const prefix = `dnssentinel-${process.pid}:`;
  const servers: { name: string; server: DnsServer; port: number; logs: string[] }[] = [];
  let writer: RedisFixture;

  const www = async (port: number) => aData(await udp(port, query('www.example.com', 'A')))[0];
  const everyServerAnswers = (ip: string) =>
    until(
      `every dns server answering ${ip}`,
      async () => {
        for (const s of servers) if ((await www(s.port)) !== ip) return false;
        return true;
      },
      30_000,
    );
  const put = (ip: string, version: number) => writer.putZone(zone('example.com', [rr('www.example.com', 'A', [ip])], { version }));

  beforeAll(async () => {
    await group.start();
    writer = new RedisFixture(group.node(await group.primaryPort()).url, prefix);
    await put('192.0.2.1', 1);
    await writer.redis.set(writer.key(redisKeys.published), '1');
    await writer.redis.wait(2, 5000);
    const [site] = await group.replicas();
    for (const [name, env] of [
      ['site replica', { ...group.env, REDIS_READ_URL: site.url }],
      ['primary via Sentinel', group.env],
    ] as const) {
      const logs: string[] = [];
      const server = await startDnsServer(testConfig({ redis: redisSettings(RedisEnvSchema.parse(env)), redisKeyPrefix: prefix }), {
        logger: captureLogger(logs),
        blockMs: 500,
      });
      servers.push({ name, server, port: (await server.listening).port, logs });
    }
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) await s.server.stop();
    writer?.disconnect();
    await group.stop();
  });

  it('reads from the site replica, follows the feed across the failover, and applies a change made after it', async () => {
    await everyServerAnswers('192.0.2.1');
    await put('192.0.2.2', 2);
    await everyServerAnswers('192.0.2.2');

    // The candidate misses the next change; the site replica and both servers get it.
    const [site, candidate] = await group.replicas();
    await group.cutReplication([candidate]);
    await put('192.0.2.3', 3);
    await everyServerAnswers('192.0.2.3');

    const old = await group.killPrimary();
    writer.disconnect();
    await group.reconnectReplicas();
    const next = await group.promoted(old);
    expect(next).toBe(candidate.port);
    // The new primary never had version 3, and its feed lacks the entry both servers applied last:
    // each reloads instead of waiting on a position that no longer exists, and keeps version 3 (a
    // version is written once, PostgreSQL has it, and the api's reconcile republishes it).
    for (const s of servers) {
      await until(`${s.name}: reloaded`, () => s.logs.join('').includes('The change feed no longer holds the last applied event'), 30_000);
    }
    for (const s of servers) expect(await www(s.port)).toBe('192.0.2.3');

    writer = new RedisFixture(group.node(next).url, prefix);
    await put('192.0.2.4', 4);
    await everyServerAnswers('192.0.2.4');
    // The site replica follows the new primary, and is what its server read from.
    const siteView = new RedisFixture(site.url, prefix);
    try {
      expect(await siteView.redis.info('replication')).toContain(`master_port:${next}`);
    } finally {
      siteView.disconnect();
    }
  });
});
