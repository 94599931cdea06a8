// DNS clients for tests: dns-packet over real UDP and TCP sockets, and dig/kdig as a second,
// independent implementation. Everything targets 127.0.0.1 only.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import * as dnsPacket from 'dns-packet';

export type Decoded = dnsPacket.Packet & { rcode?: string; flag_aa?: boolean; flag_tc?: boolean };

export interface QueryOptions {
  id?: number;
  /** Add an OPT record (EDNS0). */
  edns?: boolean;
  udpSize?: number;
  ednsVersion?: number;
  ecs?: { ip: string; prefix: number };
  dnssecOk?: boolean;
  rd?: boolean;
}

export function query(name: string, type: string, o: QueryOptions = {}): Buffer {
  const additionals: dnsPacket.Answer[] = [];
  if (o.edns || o.ecs || o.udpSize || o.ednsVersion !== undefined) {
    additionals.push({
      type: 'OPT',
      name: '.',
      udpPayloadSize: o.udpSize ?? 1232,
      ednsVersion: o.ednsVersion ?? 0,
      flags: o.dnssecOk ? dnsPacket.DNSSEC_OK : 0,
      options: o.ecs ? [{ code: 'CLIENT_SUBNET', ip: o.ecs.ip, sourcePrefixLength: o.ecs.prefix, scopePrefixLength: 0 }] : [],
    } as unknown as dnsPacket.Answer);
  }
  return dnsPacket.encode({
    type: 'query',
    id: o.id ?? Math.floor(Math.random() * 65536),
    flags: o.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as dnsPacket.RecordType, class: 'IN' }],
    additionals,
  });
}

export function decode(buf: Buffer): Decoded {
  return dnsPacket.decode(buf) as Decoded;
}

/** Sends raw bytes over UDP and resolves with the raw reply. */
export function udpRaw(port: number, msg: Buffer, timeoutMs = 3000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error('UDP query timed out'));
    }, timeoutMs);
    s.once('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m);
    });
    s.send(msg, port, '127.0.0.1');
  });
}

export async function udp(port: number, msg: Buffer): Promise<Decoded> {
  return decode(await udpRaw(port, msg));
}

/** Sends several framed messages on one TCP connection (optionally split into pieces) and collects `expect` answers. */
export function tcpRaw(
  port: number,
  messages: Buffer[],
  opts: { expect?: number; chunks?: number[]; timeoutMs?: number; localAddress?: string } = {},
): Promise<Buffer[]> {
  const expect = opts.expect ?? messages.length;
  return new Promise((resolve, reject) => {
    const framed = Buffer.concat(
      messages.map((m) => {
        const b = Buffer.alloc(2 + m.length);
        b.writeUInt16BE(m.length);
        m.copy(b, 2);
        return b;
      }),
    );
    const sock = connect({ port, host: '127.0.0.1', localAddress: opts.localAddress });
    const answers: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`TCP: got ${answers.length} of ${expect} answers`));
    }, opts.timeoutMs ?? 3000);
    sock.on('connect', async () => {
      if (!opts.chunks) {
        sock.write(framed);
        return;
      }
      // Dribble the bytes out in the given sizes, waiting between writes so they arrive as separate reads.
      let off = 0;
      for (const size of opts.chunks) {
        sock.write(framed.subarray(off, off + size));
        off += size;
        await new Promise((r) => setTimeout(r, 20));
      }
      if (off < framed.length) sock.write(framed.subarray(off));
    });
    sock.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const len = pending.readUInt16BE(0);
        answers.push(pending.subarray(2, 2 + len));
        pending = pending.subarray(2 + len);
      }
      if (answers.length >= expect) {
        clearTimeout(timer);
        sock.destroy();
        resolve(answers);
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export async function tcp(port: number, msg: Buffer): Promise<Decoded> {
  const [a] = await tcpRaw(port, [msg]);
  return decode(a!);
}

/** Runs dig or kdig against the test server; resolves with stdout. */
export function runTool(tool: 'dig' | 'kdig', port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(tool, ['@127.0.0.1', '-p', String(port), ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      if (err && !stdout) reject(new Error(`${tool} failed: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

export const aData = (m: Decoded) =>
  (m.answers ?? []).filter((a) => a.type === 'A' || a.type === 'AAAA').map((a) => (a as { data: string }).data);

/** Polls `fn` until it returns a truthy value or the deadline passes (the one poll helper, of @vigil/stack). */
export { until } from '@vigil/stack';

export interface ToolAnswer {
  status: string;
  flags: string[];
  /** Section name (ANSWER, AUTHORITY, ADDITIONAL) → records as [name, ttl, type, rdata]. */
  sections: Record<string, [string, number, string, string][]>;
  text: string;
}

/** Reads dig's or kdig's presentation output. */
export function parseToolOutput(text: string): ToolAnswer {
  const status = /status: (\w+)/.exec(text)?.[1] ?? '';
  const flags = (/;; flags: ([^;]*);/i.exec(text)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const sections: ToolAnswer['sections'] = {};
  let current: string | null = null;
  for (const line of text.split('\n')) {
    const head = /^;; (\w+) SECTION:/.exec(line);
    if (head) {
      current = head[1]!;
      sections[current] = [];
      continue;
    }
    if (!line.trim() || line.startsWith(';')) {
      if (!line.trim()) current = null;
      continue;
    }
    if (current && current !== 'QUESTION' && current !== 'OPT' && current !== 'EDNS') {
      const parts = line.trim().split(/\s+/);
      // name ttl [class] type rdata…
      const hasClass = parts[2] === 'IN';
      const type = parts[hasClass ? 3 : 2]!;
      sections[current]!.push([parts[0]!, Number(parts[1]), type, parts.slice(hasClass ? 4 : 3).join(' ')]);
    }
  }
  return { status, flags, sections, text };
}

export async function dig(port: number, args: string[]): Promise<ToolAnswer> {
  return parseToolOutput(await runTool('dig', port, args));
}

export async function kdig(port: number, args: string[]): Promise<ToolAnswer> {
  return parseToolOutput(await runTool('kdig', port, args));
}
