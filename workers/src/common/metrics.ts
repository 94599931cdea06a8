import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What GET /healthz tells: `ready` decides 200 or 503; `body` is sent as JSON beside `status`. */
export interface HealthReport {
  ready: boolean;
  /** `ok`, or why not quite: `loading`, `stale` (answering from a local snapshot), … */
  status: string;
  detail?: Record<string, unknown>;
}

/**
 * Serves `registry` on GET /metrics (Prometheus text format) and, when `health` is given, GET
 * /healthz: 200 once ready, 503 before (load balancers and orchestrators ask it), with the
 * report as JSON. Resolves once
 * listening. Errors after that (EMFILE on accept, …) go to `onError`: an 'error' event with no
 * listener would end the process, DNS service and all.
 */
export async function startMetricsServer(
  // A cluster's primary passes what merges its workers' registries on each scrape.
  registry: Pick<Registry, 'metrics' | 'contentType'>,
  port: number,
  host = '0.0.0.0',
  health?: () => HealthReport | Promise<HealthReport>,
  onError: (err: Error) => void = (err) => process.emitWarning(`metrics server: ${err.message}`),
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
        (e: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${e.message}\n`),
      );
      return;
    }
    if (req.method === 'GET' && path === '/healthz' && health) {
      Promise.resolve()
        .then(health)
        .then(
          (r) =>
            res
              .writeHead(r.ready ? 200 : 503, { 'Content-Type': 'application/json' })
              .end(`${JSON.stringify({ status: r.status, ...r.detail })}\n`),
          (e: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${e.message}\n`),
        );
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', onError);
      resolve();
    });
  });
  return server;
}

export function boundPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
