import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Checks that PostgreSQL answers, creating the database when the server answers but the
 * database does not exist yet (so `npm start` works on a fresh machine). Throws an error
 * whose message says what to do.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.slice(1)) || 'postgres';
  try {
    const c = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    await c.connect();
    await c.end();
    return;
  } catch (e) {
    const err = e as { code?: string; message: string };
    if (err.code !== '3D000') {
      throw new Error(
        `PostgreSQL does not answer at ${redact(url)} (${err.code ?? err.message}). ` +
          'Start PostgreSQL or set DATABASE_URL to a server that runs.',
      );
    }
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`);
  } catch (e) {
    // Another api process may have created it at the same moment.
    if ((e as { code?: string }).code !== '42P04') throw e;
  } finally {
    await c.end();
  }
}

/** Runs pending migrations under an advisory lock, so api processes starting together take turns. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(4242001)');
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(4242001)').catch(() => undefined);
    await runner.release();
  }
}

export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
