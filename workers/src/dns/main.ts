// Entry of the dns process: validate the environment, then serve until SIGTERM/SIGINT.
import pino from 'pino';
import { loadConfig } from './config';
import { startDnsServer } from './server';

async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`${loaded.message}\n`);
    process.exit(1);
  }
  const config = loaded.config;
  const logger = pino({ level: config.logLevel, base: { service: 'dns' } });
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
