// The dns process itself (src/dns/main.ts run through SWC): configuration errors, a Redis that is
// not there at start, and a clean stop.
import { dig, until } from '../testing/client';
import { freePort, LocalRedis, RedisFixture } from '../testing/redis';
import { rr, zone } from '../testing/zones';
import { startDnsProcess as start } from './harness';

describe('the dns process', () => {
  it('refuses a bad configuration with a clear message', async () => {
    const p = start({ DNS_PORT: 'fifty-three', REDIS_URL: 'http://nope' });
    // 2: a configuration error, as for every worker process.
    expect(await p.exited).toBe(2);
    expect(p.output()).toContain('Invalid configuration of the dns server');
    expect(p.output()).toContain('DNS_PORT: must be a port number from 0 to 65535 (got "fifty-three")');
    expect(p.output()).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
  });

  it('says so when Redis does not answer at start, keeps retrying, and serves once Redis is there', async () => {
    const redisPort = await freePort();
    const dnsPort = await freePort();
    const metricsPort = await freePort();
    const local = new LocalRedis(redisPort);
    const p = start({
      REDIS_URL: local.url,
      DNS_HOST: '127.0.0.1',
      DNS_PORT: String(dnsPort),
      METRICS_PORT: String(metricsPort),
      REDIS_KEY_PREFIX: 'main-test:',
      LOG_LEVEL: 'info',
    });
    let fixture: RedisFixture | null = null;
    try {
      await until('the Redis warning', () => p.output().includes(`Redis at redis://127.0.0.1:${redisPort} does not answer`), 15_000);
      expect(p.output()).toContain('starts answering once it has loaded the zones');
      // Not ready yet: metrics say so, and nothing listens for DNS.
      const health = await until('the metrics port', async () => fetch(`http://127.0.0.1:${metricsPort}/healthz`), 15_000);
      expect(health.status).toBe(503);

      await local.start();
      fixture = new RedisFixture(local.url, 'main-test:');
      await fixture.putZone(zone('example.com', [rr('www.example.com', 'A', ['192.0.2.1'])]));
      const answer = await until(
        'an answer',
        async () => {
          const a = await dig(dnsPort, ['+tries=1', '+time=1', 'www.example.com', 'A']);
          return a.status === 'NOERROR' && a;
        },
        20_000,
      );
      expect(answer.sections.ANSWER).toEqual([['www.example.com.', 300, 'A', '192.0.2.1']]);
      // With one process per core, the first to load answers while another may still be loading:
      // /healthz says ready once every one of them is.
      await until('/healthz ready', async () => (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status === 200, 20_000);

      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      p.child.kill('SIGKILL');
      if (fixture) await fixture.close();
      await local.stop();
    }
  }, 60_000);
});
