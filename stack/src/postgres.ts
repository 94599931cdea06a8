import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Service, startService, stopService } from './spawn';

/** The folder of initdb and postgres: PG_BIN, else the newest /usr/lib/postgresql/<version>/bin, else PATH's. */
export function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions.length ? join(base, versions[0]!, 'bin') : '';
}

/** Whether PostgreSQL answers `SELECT 1` at `url` now. */
export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** PostgreSQL refuses to run as root: then it runs as the system's `postgres` user. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('PostgreSQL will not run as root, and there is no postgres user to run it as');
  }
}

/**
 * A throwaway PostgreSQL cluster (initdb into a temporary folder) on a loopback port, trust
 * authentication, superuser `postgres`, no fsync: the tests that stop PostgreSQL use one of these,
 * never the shared one. `stop()` then `start()` restarts it with its data; `remove()` deletes it.
 */
export class LocalPostgres {
  readonly dir: string;
  private service: Service | null = null;
  private readonly user = runAs();
  private readonly bin = postgresBin();

  constructor(readonly port: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'vigil-pg-'));
    if (this.user) chownSync(this.dir, this.user.uid, this.user.gid);
  }

  /** The admin connection (database `postgres`): a Stack's `pgAdminUrl`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private tool(name: string): string {
    return this.bin ? join(this.bin, name) : name;
  }

  /** initdb on first use, then the server; resolves once it answers. */
  async start(): Promise<void> {
    const data = join(this.dir, 'data');
    if (!existsSync(data)) {
      try {
        execFileSync(this.tool('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'], {
          stdio: 'pipe',
          ...this.user,
        });
      } catch (e) {
        const err = e as Error & { stderr?: Buffer };
        throw new Error(`initdb failed (${this.tool('initdb')}): ${err.stderr?.toString() || err.message}`);
      }
    }
    const settings = {
      listen_addresses: '127.0.0.1',
      port: String(this.port),
      unix_socket_directories: this.dir,
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
    };
    const args = ['-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    this.service = await startService(`PostgreSQL on port ${this.port}`, this.tool('postgres'), args, () => postgresAnswers(this.url), {
      ...this.user,
      ms: 30_000,
    });
  }

  /** 'fast': sessions are ended and it shuts down cleanly; 'immediate': as a crash (recovery at the next start). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const s = this.service;
    this.service = null;
    await stopService(s, mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
  }

  async remove(): Promise<void> {
    await this.stop('immediate');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
