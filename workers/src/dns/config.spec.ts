import { availableParallelism } from 'node:os';
import { safeRedisUrl } from '../common/redis';
import { loadDnsConfig } from './config';

describe('loadDnsConfig', () => {
  it('fills local defaults', () => {
    expect(loadDnsConfig({})).toEqual({
      dnsPort: 5300,
      dnsHost: '127.0.0.1',
      redis: { url: 'redis://127.0.0.1:6379', sentinels: null, sentinelMaster: 'vigil', sentinelPassword: null, readUrl: null },
      redisKeyPrefix: '',
      metricsPort: 9153,
      metricsHost: '127.0.0.1',
      tcp: { idleTimeoutMs: 10000, maxConnections: 1000, maxPerSource: 64, messageTimeoutMs: 3000, maxLifetimeMs: 120000 },
      udpIo: 'auto',
      logLevel: 'info',
      geoData: true,
      processes: availableParallelism(),
      rttReloadSeconds: 30,
    });
  });

  it('reads whether the asn and geodistance databases are loaded, and refuses another word', () => {
    expect(loadDnsConfig({ DNS_GEO_DATA: 'off' }).geoData).toBe(false);
    expect(loadDnsConfig({ DNS_GEO_DATA: ' ON ' }).geoData).toBe(true);
    expect(() => loadDnsConfig({ DNS_GEO_DATA: 'no' })).toThrow('DNS_GEO_DATA: must be on or off (got "no")');
  });

  it('reads the number of DNS processes, one per core by default', () => {
    expect(loadDnsConfig({ DNS_PROCESSES: '1' }).processes).toBe(1);
    expect(loadDnsConfig({ DNS_PROCESSES: ' 4 ' }).processes).toBe(4);
    expect(() => loadDnsConfig({ DNS_PROCESSES: '0' })).toThrow(
      'DNS_PROCESSES: must be a positive integer (DNS processes on the port) (got "0")',
    );
  });

  it('reads the UDP path, and refuses an unknown one', () => {
    expect(loadDnsConfig({ DNS_UDP_IO: 'dgram' }).udpIo).toBe('dgram');
    expect(loadDnsConfig({ DNS_UDP_IO: ' Batch ' }).udpIo).toBe('batch');
    expect(() => loadDnsConfig({ DNS_UDP_IO: 'io_uring' })).toThrow('DNS_UDP_IO: must be auto, dgram or batch (got "io_uring")');
  });

  it('reads container settings', () => {
    const r = loadDnsConfig({
      DNS_PORT: '53',
      DNS_HOST: '::',
      REDIS_URL: 'redis://redis:6379/2',
      METRICS_PORT: '9100',
      REDIS_KEY_PREFIX: 'prod:',
    });
    expect(r).toMatchObject({
      dnsPort: 53,
      dnsHost: '::',
      metricsHost: '::',
      redis: { url: 'redis://redis:6379/2', sentinels: null },
      metricsPort: 9100,
      redisKeyPrefix: 'prod:',
    });
  });

  it('reads the Sentinels and the replica it reads from, and names a bad Sentinel list', () => {
    expect(
      loadDnsConfig({
        REDIS_SENTINELS: '10.0.0.1:26379,[::1]:26380',
        REDIS_SENTINEL_MASTER: 'core',
        REDIS_READ_URL: 'redis://10.1.0.5:6379',
      }).redis,
    ).toEqual({
      url: 'redis://127.0.0.1:6379',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      sentinelMaster: 'core',
      sentinelPassword: null,
      readUrl: 'redis://10.1.0.5:6379',
    });
    expect(() => loadDnsConfig({ REDIS_SENTINELS: '10.0.0.1:x' })).toThrow('REDIS_SENTINELS: "10.0.0.1:x" is not host:port');
  });

  it('names every bad variable and what it got', () => {
    let message = '';
    try {
      loadDnsConfig({ DNS_PORT: 'fifty-three', DNS_HOST: 'localhost', REDIS_URL: 'http://x', METRICS_PORT: '70000', LOG_LEVEL: 'loud' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('Invalid configuration of the dns server');
    expect(message).toContain('DNS_PORT: must be a port number from 0 to 65535 (got "fifty-three")');
    expect(message).toContain('DNS_HOST: must be an IP address to bind');
    expect(message).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
    expect(message).toContain('METRICS_PORT: must be a port number from 0 to 65535 (got "70000")');
    expect(message).toContain('LOG_LEVEL: must be one of');
  });

  it('hides the Redis password in logs', () => {
    expect(safeRedisUrl('redis://user:secret@redis:6379/0')).toBe('redis://user:***@redis:6379/0');
  });
});
