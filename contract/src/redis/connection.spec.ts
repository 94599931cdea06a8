import { describeRedis, parseSentinels, RedisEnvSchema, redisOptions, redisSettings, type RedisSettings } from './connection';

const settings = (env: Record<string, string>): RedisSettings => redisSettings(RedisEnvSchema.parse(env));
const issues = (env: Record<string, string>) =>
  RedisEnvSchema.safeParse(env).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('Redis settings', () => {
  it('default to the local Redis, no Sentinel, reads from the primary', () => {
    const s = settings({});
    expect(s).toEqual({ url: 'redis://127.0.0.1:6379', sentinels: null, sentinelMaster: 'vigil', sentinelPassword: null, readUrl: null });
    expect(redisOptions(s, 'primary')).toEqual({ host: '127.0.0.1', port: 6379 });
    expect(redisOptions(s, 'read', { keyPrefix: 'p:' })).toEqual({ host: '127.0.0.1', port: 6379, keyPrefix: 'p:' });
  });

  it('take login, db and TLS from REDIS_URL', () => {
    const s = settings({ REDIS_URL: 'rediss://vigil:p%40ss@redis.example:6380/3' });
    expect(redisOptions(s, 'primary')).toEqual({ host: 'redis.example', port: 6380, username: 'vigil', password: 'p@ss', db: 3, tls: {} });
    expect(describeRedis(s)).toBe('rediss://vigil:***@redis.example:6380/3');
  });

  it('with Sentinels: the address comes from them, the rest from REDIS_URL, and clients follow failovers', () => {
    const s = settings({
      REDIS_URL: 'redis://:secret@ignored:1/2',
      REDIS_SENTINELS: '10.0.0.1:26379, sentinel.example ,[::1]:26380',
      REDIS_SENTINEL_MASTER: 'site-core',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
    });
    expect(s.sentinels).toEqual([
      { host: '10.0.0.1', port: 26379 },
      { host: 'sentinel.example', port: 26379 },
      { host: '::1', port: 26380 },
    ]);
    const o = redisOptions(s, 'primary', { maxRetriesPerRequest: null });
    expect(o).toEqual({
      password: 'secret',
      db: 2,
      sentinels: s.sentinels,
      name: 'site-core',
      sentinelPassword: 'sentinel-secret',
      failoverDetector: true,
      maxRetriesPerRequest: null,
    });
    expect(o.host).toBeUndefined();
    // Without a read replica, readers follow the primary too.
    expect(redisOptions(s, 'read')).toEqual(redisOptions(s, 'primary'));
    expect(describeRedis(s)).toBe('master "site-core" of Sentinels 10.0.0.1:26379,sentinel.example:26379,[::1]:26380');
  });

  it('TLS with Sentinels applies to the primary connection', () => {
    const o = redisOptions(settings({ REDIS_URL: 'rediss://x', REDIS_SENTINELS: '10.0.0.1:26379' }), 'primary');
    expect(o).toMatchObject({ tls: {}, enableTLSForSentinelMode: true, sentinels: [{ host: '10.0.0.1', port: 26379 }] });
  });

  it('send the read side to REDIS_READ_URL, and the primary side never', () => {
    const s = settings({ REDIS_SENTINELS: '10.0.0.1:26379', REDIS_READ_URL: 'redis://127.0.0.1:6390/0' });
    expect(redisOptions(s, 'read', { keyPrefix: 'p:' })).toEqual({ host: '127.0.0.1', port: 6390, db: 0, keyPrefix: 'p:' });
    expect(redisOptions(s, 'primary').sentinels).toEqual([{ host: '10.0.0.1', port: 26379 }]);
    expect(describeRedis(s, 'read')).toBe('redis://127.0.0.1:6390/0 (read replica)');
    expect(describeRedis(s, 'primary')).toBe('master "vigil" of Sentinels 10.0.0.1:26379');
  });

  it('treat empty variables as unset', () => {
    expect(settings({ REDIS_SENTINELS: ' ', REDIS_SENTINEL_MASTER: '', REDIS_SENTINEL_PASSWORD: '', REDIS_READ_URL: '' })).toEqual(
      settings({}),
    );
  });

  it('name the variable and the item of a bad Sentinel list', () => {
    expect(issues({ REDIS_SENTINELS: '10.0.0.1:26379,10.0.0.2:port' })).toEqual([
      'REDIS_SENTINELS: "10.0.0.2:port" is not host:port; list Sentinels such as 10.0.0.1:26379,10.0.0.2:26379,[2001:db8::1]:26379',
    ]);
    expect(issues({ REDIS_SENTINELS: '::1:26379' })[0]).toContain('an IPv6 address goes in brackets');
    expect(issues({ REDIS_SENTINELS: '10.0.0.1:70000' })).toEqual(['REDIS_SENTINELS: "10.0.0.1:70000": the port must be from 1 to 65535']);
    expect(issues({ REDIS_SENTINELS: '[10.0.0.1]:26379' })).toEqual([
      'REDIS_SENTINELS: "[10.0.0.1]:26379": 10.0.0.1 is not an IPv6 address',
    ]);
    expect(issues({ REDIS_SENTINELS: 'redis://10.0.0.1:26379' })[0]).toMatch(
      /^REDIS_SENTINELS: "redis:\/\/10.0.0.1:26379" is not host:port/,
    );
    expect(issues({ REDIS_SENTINELS: ',' })).toEqual([
      'REDIS_SENTINELS: must list at least one Sentinel as host:port, such as 10.0.0.1:26379,10.0.0.2:26379,[2001:db8::1]:26379',
    ]);
  });

  it('refuse a bad master name, read URL or REDIS_URL', () => {
    expect(issues({ REDIS_SENTINEL_MASTER: 'my master' })[0]).toMatch(/^REDIS_SENTINEL_MASTER: must be the master group name/);
    expect(issues({ REDIS_READ_URL: 'http://replica:6379' })[0]).toMatch(/^REDIS_READ_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(issues({ REDIS_URL: 'localhost:6379' })[0]).toMatch(/^REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('parses host names and IPv6 without a port to the default Sentinel port', () => {
    expect(parseSentinels('[2001:db8::1]')).toEqual([{ host: '2001:db8::1', port: 26379 }]);
  });
});
