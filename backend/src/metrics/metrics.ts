import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../config/config';

/** The api's Prometheus registry, served on API_METRICS_PORT (never on the API's own port). */
export const apiRegistry = new Registry();
collectDefaultMetrics({ register: apiRegistry });

@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server: Server | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onApplicationBootstrap() {
    if (!this.config.API_METRICS_PORT) return;
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      apiRegistry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': apiRegistry.contentType }).end(text),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject).listen(this.config.API_METRICS_PORT, this.config.API_HOST, resolve);
    });
    this.logger.log(`metrics on http://${this.config.API_HOST}:${this.config.API_METRICS_PORT}/metrics`);
  }

  async onApplicationShutdown() {
    await new Promise((r) => (this.server ? this.server.close(r) : r(undefined)));
  }
}

@Module({ providers: [MetricsServer] })
export class MetricsModule {}
