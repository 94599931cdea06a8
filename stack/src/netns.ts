import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { commandProblem } from './prerequisite';

const run = promisify(execFile);

/** Why network namespaces cannot be made here (not root, no iproute2), or null when they can. */
export function netnsProblem(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  return commandProblem('ip', ['netns', 'list']);
}

export interface Host {
  /** Name the topology knows it by (core, site-1, backend-1, …). */
  readonly name: string;
  /** Its network namespace; null for the core, which is this machine's own namespace. */
  readonly netns: string | null;
  /** Its addresses on the topology's /24. */
  readonly addresses: readonly string[];
  readonly address: string;
}

/**
 * A small network made of namespaces, for multi-host tests on one machine: one switch (a bridge
 * in a namespace of its own, so no firewall rule of this machine applies between hosts) and hosts
 * on it, each a namespace with one veth, all on one /24 that no route of this machine uses. The
 * core is this machine's own namespace (where PostgreSQL listens on loopback), with a veth into
 * the switch. `destroy()` removes everything, also from a process exit handler.
 */
export class Topology {
  readonly id = randomBytes(2).toString('hex');
  readonly subnet: string;
  private readonly namespaces: string[] = [];
  private readonly links: string[] = [];
  /** Rules this topology added to this machine's own namespace (`from to`), removed with it. */
  private readonly rules = new Set<string>();
  private readonly hosts = new Map<string, Host>();
  private readonly onExit = () => this.destroySync();
  private next = 10;

  constructor() {
    // 10.213.0.0/16 is rarely routed; a random third octet keeps two runs apart.
    this.subnet = `10.213.${16 + (parseInt(this.id, 16) % 224)}`;
  }

  private get switchNs(): string {
    return `vg${this.id}sw`;
  }

  /** Makes the switch and the core's link: the core gets `.1` and `.2`. */
  async create(): Promise<Host> {
    const used = (await run('ip', ['-4', 'route', 'show'])).stdout;
    if (used.includes(`${this.subnet}.`)) throw new Error(`${this.subnet}.0/24 is routed on this machine already`);
    process.once('exit', this.onExit);
    await this.addNs(this.switchNs);
    await this.ip(this.switchNs, 'link', 'add', 'br0', 'type', 'bridge');
    await this.ip(this.switchNs, 'link', 'set', 'br0', 'up');
    return this.attach('core', null, 2);
  }

  /** A new host in its own namespace, with one address (or `count`) on the subnet. */
  async host(name: string, count = 1): Promise<Host> {
    const netns = `vg${this.id}${name.replace(/[^a-z0-9]/g, '').slice(0, 8)}`;
    await this.addNs(netns);
    await this.ip(netns, 'link', 'set', 'lo', 'up');
    return this.attach(name, netns, count);
  }

  get(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  }

  /** `ip netns exec` prefix for a command on `host` (none for the core). */
  prefix(host: Host): string[] {
    return host.netns === null ? [] : ['ip', 'netns', 'exec', host.netns];
  }

  /** Runs a command on `host` and resolves with its output. */
  async exec(host: Host, command: string, args: string[]): Promise<string> {
    const [cmd, ...rest] = [...this.prefix(host), command, ...args];
    return (await run(cmd!, rest, { timeout: 20_000 })).stdout;
  }

  /**
   * Cuts `host` off from every address of the subnet but `keep`, both ways: blackhole routes in
   * its namespace and, towards it, in every other host's (in the core, a rule per core address
   * not kept, so the kept ones still reach it). Packets are dropped at once, as on a link that
   * broke beyond a router; one direction alone would still let an established stream in.
   */
  async isolate(host: Host, keep: readonly string[]): Promise<void> {
    await this.cut(host, keep, 'add');
  }

  async reconnect(host: Host, keep: readonly string[]): Promise<void> {
    await this.cut(host, keep, 'del');
  }

  private async cut(host: Host, keep: readonly string[], op: 'add' | 'del'): Promise<void> {
    for (const other of this.hosts.values()) {
      if (other === host) continue;
      for (const a of other.addresses) {
        if (keep.includes(a)) continue;
        await this.ip(host.netns, 'route', op, 'blackhole', `${a}/32`);
        for (const b of host.addresses) {
          if (other.netns === null) {
            await this.ip(null, 'rule', op, 'from', a, 'to', b, 'blackhole');
            if (op === 'add') this.rules.add(`${a} ${b}`);
            else this.rules.delete(`${a} ${b}`);
          } else if (a === other.address) await this.ip(other.netns, 'route', op, 'blackhole', `${b}/32`);
        }
      }
    }
  }

  /** Drops what `host` sends to `to`, and only that. */
  async block(host: Host, to: string): Promise<void> {
    await this.ip(host.netns, 'route', 'add', 'blackhole', `${to}/32`);
  }

  async unblock(host: Host, to: string): Promise<void> {
    await this.ip(host.netns, 'route', 'del', 'blackhole', `${to}/32`);
  }

  async destroy(): Promise<void> {
    process.off('exit', this.onExit);
    this.destroySync();
  }

  private destroySync(): void {
    for (const rule of [...this.rules]) {
      const [from, to] = rule.split(' ');
      try {
        execFileSync('ip', ['rule', 'del', 'from', from!, 'to', to!, 'blackhole'], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
      this.rules.delete(rule);
    }
    // Deleting a namespace deletes its end of a veth, and with it the other end.
    for (const ns of this.namespaces.splice(0).reverse()) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    }
    for (const link of this.links.splice(0)) {
      try {
        execFileSync('ip', ['link', 'del', link], { stdio: 'ignore' });
      } catch {
        /* gone with its peer */
      }
    }
  }

  private async attach(name: string, netns: string | null, count: number): Promise<Host> {
    const n = this.hosts.size;
    const outer = `vg${this.id}p${n}`;
    const inner = `vg${this.id}h${n}`;
    await run('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
    if (netns === null) this.links.push(inner);
    await run('ip', ['link', 'set', outer, 'netns', this.switchNs]);
    await this.ip(this.switchNs, 'link', 'set', outer, 'master', 'br0');
    await this.ip(this.switchNs, 'link', 'set', outer, 'up');
    if (netns !== null) await run('ip', ['link', 'set', inner, 'netns', netns]);
    const addresses: string[] = [];
    for (let i = 0; i < count; i++) {
      const a = name === 'core' ? `${this.subnet}.${i + 1}` : `${this.subnet}.${this.next++}`;
      await this.ip(netns, 'addr', 'add', `${a}/24`, 'dev', inner);
      addresses.push(a);
    }
    await this.ip(netns, 'link', 'set', inner, 'up');
    const host: Host = { name, netns, addresses, address: addresses[0]! };
    this.hosts.set(name, host);
    return host;
  }

  private async addNs(ns: string): Promise<void> {
    await run('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
  }

  private async ip(netns: string | null, ...args: string[]): Promise<void> {
    await run('ip', netns === null ? args : ['-n', netns, ...args]);
  }
}
