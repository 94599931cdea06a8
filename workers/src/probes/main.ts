// Probe process of one location: `LOCATION=eu-1 node workers/dist/probes/main.js`.
import { formatLatLong, regexpEngineName } from '@vigil/contract';
import { collectDefaultMetrics } from 'prom-client';
import { ConfigError, redisSettings } from '../common/env';
import { createLogger } from '../common/logger';
import { startMetricsServer } from '../common/metrics';
import { describeRedis } from '@vigil/contract/redis';
import { closeRedis, createRedis } from '../common/redis';
import { ProbeFault } from './checks/icmp';
import { loadProbeConfig, type ProbeConfig } from './config';
import { ProbeMetrics } from './metrics';
import { ProbeWorker } from './worker';

/** How long in-flight checks get to finish on SIGTERM: the longest check timeout, plus writing. */
const SHUTDOWN_GRACE_MS = 15_000;

async function main(): Promise<void> {
  let config: ProbeConfig;
  try {
    config = loadProbeConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`probe: ${e.message}`);
    process.exit(2);
  }
  const log = createLogger('probe', config.LOG_LEVEL, { location: config.LOCATION });
  const metrics = new ProbeMetrics();
  collectDefaultMetrics({ register: metrics.registry });

  // Both on the primary, REDIS_READ_URL or not: BullMQ takes jobs only there, and the results
  // written are the only reads.
  const settings = redisSettings(config);
  const redis = createRedis(settings, log, 'results', { keyPrefix: config.REDIS_KEY_PREFIX });
  const bullConnection = createRedis(settings, log, 'queue');
  const worker = new ProbeWorker({
    location: config.LOCATION,
    redisKeyPrefix: config.REDIS_KEY_PREFIX,
    concurrency: config.PROBE_CONCURRENCY,
    policy: config.ALLOW_PRIVATE_TARGETS,
    resolvers: config.PROBE_RESOLVERS,
    latlong: config.PROBE_LATLONG,
    redis,
    bullConnection,
    log,
    metrics,
  });
  try {
    worker.runner.icmp.selfTest();
  } catch (e) {
    if (!(e instanceof ProbeFault)) throw e;
    log.error(`${e.message}; ICMP checks from this location will not be stored`);
  }
  worker.start();
  const metricsServer = config.METRICS_PORT ? await startMetricsServer(metrics.registry, config.METRICS_PORT, config.METRICS_HOST) : null;
  log.info(
    {
      redis: describeRedis(settings),
      keyPrefix: config.REDIS_KEY_PREFIX,
      concurrency: config.PROBE_CONCURRENCY,
      allowPrivateTargets: config.ALLOW_PRIVATE_TARGETS.spec || '(none)',
      resolvers: config.PROBE_RESOLVERS.length > 0 ? config.PROBE_RESOLVERS.join(',') : '(/etc/resolv.conf)',
      latlong: config.PROBE_LATLONG === null ? '(none)' : formatLatLong(config.PROBE_LATLONG),
      // Loads RE2 now: a probe without it stops here rather than at its first regexp.
      regexpEngine: regexpEngineName(),
      metrics: metricsServer ? `http://${config.METRICS_HOST}:${config.METRICS_PORT}/metrics` : null,
    },
    `probe ${config.LOCATION} is taking checks`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: finishing the checks in flight`);
    const force = setTimeout(() => {
      log.warn('checks still running after the grace period; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    void (async () => {
      await worker.close();
      metricsServer?.close();
      await closeRedis(redis);
      await closeRedis(bullConnection);
      log.info('stopped');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: Error) => {
  console.error(`probe: ${e.stack ?? e.message}`);
  process.exit(1);
});
