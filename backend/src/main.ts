import { createApi } from './bootstrap';
import { ConfigError, loadConfig } from './config/config';

async function main() {
  const config = loadConfig();
  const app = await createApi(config);
  await app.listen(config.API_PORT, config.API_HOST);
  const url = `http://${config.API_HOST.includes(':') ? `[${config.API_HOST}]` : config.API_HOST}:${config.API_PORT}`;
  // Plain stdout, so `npm start` shows where things are whatever the log level.
  process.stdout.write(`vigil api listening on ${url} (API ${url}/v2, docs ${url}/docs)\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`vigil api failed to start: ${e instanceof ConfigError ? e.message : (e.stack ?? e.message)}\n`);
  process.exit(1);
});
