import Redis from 'ioredis';
import { prerequisite, commandProblem } from './prerequisite';
import { SentinelGroup } from './redis';

const haveRedis = prerequisite('redis-server', commandProblem('redis-server', ['--version']));

(haveRedis ? describe : describe.skip)('SentinelGroup: a primary, replicas and Sentinels a test may fail over', () => {
  const group = new SentinelGroup({ replicas: 2, priorities: [0, 100] });
  beforeAll(() => group.start(), 60_000);
  afterAll(() => group.stop());

  it('replicates; a write made while replication is cut reaches no replica and is gone after the failover', async () => {
    const first = await group.primaryPort();
    // Not reconnecting once killed: a failed connect leaves a timer that keeps jest waiting.
    const primary = new Redis(group.node(first).url, { retryStrategy: () => null });
    primary.on('error', () => undefined);
    const [site, other] = await group.replicas();
    const siteReplica = new Redis(site.url);
    try {
      await primary.set('kept', '1');
      await primary.wait(2, 5000);
      expect(await siteReplica.get('kept')).toBe('1');

      await group.cutReplication();
      await primary.set('lost', '1');
      expect(await primary.get('lost')).toBe('1');
      const old = await group.killPrimary();
      await group.reconnectReplicas();
      const next = await group.promoted(old);
      // Priority 0 is never promoted: the other replica is.
      expect(next).toBe(other.port);
      const promoted = new Redis(group.node(next).url);
      try {
        expect(await promoted.get('kept')).toBe('1');
        expect(await promoted.get('lost')).toBeNull();
        await promoted.set('after', '1');
        await promoted.wait(1, 10_000);
        expect(await siteReplica.get('after')).toBe('1');
      } finally {
        promoted.disconnect();
      }
    } finally {
      primary.disconnect();
      siteReplica.disconnect();
    }
  }, 90_000);
});
