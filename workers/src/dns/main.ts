// Entry of the dns process: validate the environment, then serve until SIGTERM/SIGINT.
import { ConfigError } from '../common/env';
import { createLogger } from '../common/logger';
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
  const logger = createLogger('dns', config.logLevel);
  const server = await startDnsServer(config, { logger });
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
