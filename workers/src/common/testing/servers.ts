// Real local servers for the probe tests: all bound to loopback addresses, never anything else.
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** SNI the client sent (HTTPS only). */
  servername?: string | false;
}

export interface TestServer {
  port: number;
  host: string;
  /** TCP connections accepted so far. */
  connections: number;
  /** SNI of each completed TLS handshake (HTTPS servers), false when the client sent none. */
  servernames: (string | false)[];
  requests: SeenRequest[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(server: Server, host: string, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function track(server: Server, host: string, port: number, requests: SeenRequest[]): TestServer {
  const sockets = new Set<Socket>();
  const t: TestServer = {
    port,
    host,
    connections: 0,
    servernames: [],
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (s: Socket) => {
    t.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  return t;
}

function recording(requests: SeenRequest[], handler: Handler): Handler {
  return (req, res) => {
    const socket = req.socket as Partial<TLSSocket>;
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, servername: socket.servername ?? undefined });
    res.on('error', () => undefined);
    handler(req, res);
  };
}

export async function startHttpServer(handler: Handler, host = '127.0.0.1', port = 0): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server = createHttpServer(recording(requests, handler));
  server.keepAliveTimeout = 1000;
  const bound = await listen(server, host, port);
  return track(server, host, bound, requests);
}

export async function startHttpsServer(tls: TlsFiles, handler: Handler, host = '127.0.0.1'): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server = createHttpsServer({ key: tls.key, cert: tls.cert }, recording(requests, handler));
  server.on('tlsClientError', () => undefined);
  const port = await listen(server, host);
  // 'connection' fires for the TCP socket under TLS too.
  const t = track(server, host, port, requests);
  server.on('secureConnection', (s: TLSSocket) => t.servernames.push(s.servername ?? false));
  return t;
}

/** Accepts connections and never answers: neither HTTP nor a TLS handshake. */
export async function startSilentServer(host = '127.0.0.1', port = 0): Promise<TestServer> {
  const server = createNetServer(() => undefined);
  const bound = await listen(server, host, port);
  return track(server, host, bound, []);
}

/** A port on which nothing listens (bound once, then released). */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const s = await startSilentServer(host);
  await s.close();
  return s.port;
}

/** A TCP server whose connections `handler` serves (a banner, a line protocol, ...). */
export async function startTcpServer(handler: (socket: Socket) => void, host = '127.0.0.1'): Promise<TestServer> {
  const server = createNetServer((socket) => {
    socket.on('error', () => undefined);
    handler(socket);
  });
  const port = await listen(server, host);
  return track(server, host, port, []);
}

export interface UdpTestServer {
  port: number;
  host: string;
  /** Every datagram received, in order. */
  received: Buffer[];
  close(): Promise<void>;
}

/** A UDP server that answers each datagram with `reply(datagram)`, or stays silent when it returns null. */
export async function startUdpServer(
  reply: (datagram: Buffer) => Buffer | string | null,
  host = '127.0.0.1',
  port = 0,
): Promise<UdpTestServer> {
  const socket: UdpSocket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  const received: Buffer[] = [];
  socket.on('message', (msg, from) => {
    received.push(msg);
    const answer = reply(msg);
    if (answer !== null) socket.send(typeof answer === 'string' ? Buffer.from(answer) : answer, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });
  return { port: socket.address().port, host, received, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

/** A UDP port on which nothing listens (bound once, then released): the kernel answers port unreachable. */
export async function closedUdpPort(host = '127.0.0.1'): Promise<number> {
  const s = await startUdpServer(() => null, host);
  await s.close();
  return s.port;
}

export interface TlsFiles {
  key: Buffer;
  cert: Buffer;
}

/** A self-signed certificate for `name` and 127.0.0.1, valid for `days` from now, made with the openssl CLI in a temp dir. */
export function selfSignedCert(name: string, days = 2): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        String(days),
        '-subj',
        `/CN=${name}`,
        '-addext',
        `subjectAltName=DNS:${name},IP:127.0.0.1`,
      ],
      { stdio: 'pipe' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
