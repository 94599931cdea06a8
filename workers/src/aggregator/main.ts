// Health aggregator: `node workers/dist/aggregator/main.js` (run one or more).
import { collectDefaultMetrics } from 'prom-client';
import { ConfigError, redisSettings } from '../common/env';
import { createLogger } from '../common/logger';
import { startMetricsServer } from '../common/metrics';
import { describeRedis } from '@vigil/contract/redis';
import { closeRedis, createRedis } from '../common/redis';
import { Aggregator } from './aggregator';
import { type AggregatorConfig, loadAggregatorConfig } from './config';
import { AggregatorMetrics } from './metrics';

async function main(): Promise<void> {
  let config: AggregatorConfig;
  try {
    config = loadAggregatorConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`aggregator: ${e.message}`);
    process.exit(2);
  }
  const log = createLogger('aggregator', config.LOG_LEVEL, { consumer: config.CONSUMER });
  const metrics = new AggregatorMetrics();
  collectDefaultMetrics({ register: metrics.registry });
  // Both on the primary, REDIS_READ_URL or not: the consumer group's reads (XREADGROUP) write, and
  // the states it reads decide its compare-and-set writes, so they must be the primary's.
  const settings = redisSettings(config);
  const redis = createRedis(settings, log, 'commands', { keyPrefix: config.REDIS_KEY_PREFIX });
  const reader = createRedis(settings, log, 'reader', { keyPrefix: config.REDIS_KEY_PREFIX });
  const aggregator = new Aggregator({
    redis,
    reader,
    consumer: config.CONSUMER,
    thresholds: { available: config.AVAILABLE_THRESHOLD, unavailable: config.UNAVAILABLE_THRESHOLD },
    freshnessSlackMs: config.FRESHNESS_SLACK_SECONDS * 1000,
    log,
    metrics,
  });
  aggregator.start();
  const metricsServer = config.METRICS_PORT ? await startMetricsServer(metrics.registry, config.METRICS_PORT, config.METRICS_HOST) : null;
  log.info(
    {
      redis: describeRedis(settings),
      keyPrefix: config.REDIS_KEY_PREFIX,
      available: config.AVAILABLE_THRESHOLD,
      unavailable: config.UNAVAILABLE_THRESHOLD,
      freshnessSlackSeconds: config.FRESHNESS_SLACK_SECONDS,
      metrics: metricsServer ? `http://${config.METRICS_HOST}:${config.METRICS_PORT}/metrics` : null,
    },
    'aggregator is reading the results feed',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    setTimeout(() => process.exit(1), 10_000).unref();
    void (async () => {
      await aggregator.stop();
      metricsServer?.close();
      await closeRedis(redis);
      log.info('stopped');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: Error) => {
  console.error(`aggregator: ${e.stack ?? e.message}`);
  process.exit(1);
});
