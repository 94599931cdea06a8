// Two tiny HTTP backends for failover checks: the same port on 127.0.0.2 and 127.0.0.3, both
// loopback, answering 200 on /health. Each can be stopped and started again on its address.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

function listen(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      if (req.url === '/health') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok from ${host}\n`);
      } else {
        res.writeHead(404).end();
      }
    });
    server.keepAliveTimeout = 1000;
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export class Backends {
  private readonly servers = new Map<string, Server>();

  private constructor(
    readonly hosts: string[],
    readonly port: number,
  ) {}

  /** Binds every host on one port that is free on all of them. */
  static async start(hosts: string[]): Promise<Backends> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const first = await listen(hosts[0]!, 0);
      const port = (first.address() as AddressInfo).port;
      const b = new Backends(hosts, port);
      b.servers.set(hosts[0]!, first);
      try {
        for (const h of hosts.slice(1)) b.servers.set(h, await listen(h, port));
        return b;
      } catch {
        await b.stopAll();
      }
    }
    throw new Error(`no port is free on all of ${hosts.join(', ')}`);
  }

  async stop(host: string): Promise<void> {
    const s = this.servers.get(host);
    this.servers.delete(host);
    if (s) await close(s);
  }

  async restart(host: string): Promise<void> {
    if (!this.servers.has(host)) this.servers.set(host, await listen(host, this.port));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((h) => this.stop(h)));
  }
}
