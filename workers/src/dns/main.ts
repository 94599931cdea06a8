// Entry of the dns process: validate the environment, then serve until SIGTERM/SIGINT. With
// DNS_PROCESSES above 1 this process is the primary of a cluster (cluster.ts) and each of its
// workers comes back here to serve.
import cluster from 'node:cluster';
import { ConfigError } from '../common/env';
import { createLogger } from '../common/logger';
import { PrimaryLink, runPrimary, workerSlot } from './cluster';
import { type DnsConfig, loadDnsConfig } from './config';
import { startDnsServer } from './server';

async function main(): Promise<void> {
  let config: DnsConfig;
  try {
    config = loadDnsConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // 2, as every worker: a configuration error, not a crash worth restarting for.
    console.error(`dns: ${e.message}`);
    process.exit(2);
  }
  const slot = workerSlot();
  if (slot === null && config.processes > 1 && cluster.isPrimary) {
    const logger = createLogger('dns', config.logLevel, { process: 'primary' });
    try {
      await runPrimary(config, logger);
    } catch (err) {
      logger.fatal(
        { err: err instanceof Error ? err.message : String(err), host: config.dnsHost, port: config.dnsPort },
        'Cannot start the DNS processes',
      );
      process.exit(1);
    }
    return;
  }
  const logger = createLogger('dns', config.logLevel, slot === null ? {} : { process: slot });
  // Before the server starts, so the primary can ask a starting worker how it is.
  const link = slot === null ? null : new PrimaryLink();
  // One process writes the local snapshot: the only one, or a cluster's first.
  const server = await startDnsServer(config, { logger, worker: slot ?? undefined, snapshotWriter: slot === null || slot === 1 });
  if (link) link.server = server;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Stopping');
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await server.listening;
    if (link) link.listening = true;
  } catch (err) {
    if (stopping) return;
    logger.fatal(
      { err: err instanceof Error ? err.message : String(err), host: config.dnsHost, port: config.dnsPort },
      'Cannot listen for DNS',
    );
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`dns server failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
