import { existsSync } from 'node:fs';
import Redis from 'ioredis';
import pg from 'pg';
import { LocalPostgres, postgresAnswers } from './postgres';
import { LocalRedis, redisAnswers } from './redis';
import { startService } from './spawn';
import { freePort } from './wait';

const sql = async (url: string, text: string) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
};

describe('LocalPostgres: a private cluster a test may stop', () => {
  it('keeps its data across a clean stop and a crash, and is gone after remove()', async () => {
    const local = new LocalPostgres(await freePort());
    try {
      await local.start();
      await sql(local.url, 'CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)');
      await local.stop();
      expect(await postgresAnswers(local.url).catch(() => false)).toBe(false);
      await local.start();
      await local.stop('immediate');
      await local.start();
      expect(await sql(local.url, 'SELECT v FROM kept')).toEqual([{ v: 7 }]);
    } finally {
      await local.remove();
    }
    expect(existsSync(local.dir)).toBe(false);
  }, 60_000);
});

describe('LocalRedis', () => {
  it('comes back empty after a stop', async () => {
    const local = new LocalRedis(await freePort());
    await local.start();
    const redis = new Redis(local.url, { lazyConnect: true });
    try {
      await redis.set('k', 'v');
      await local.stop();
      expect(await redisAnswers(local.url)).toBe(false);
      await local.start();
      expect(await redis.get('k')).toBeNull();
    } finally {
      redis.disconnect();
      await local.stop();
    }
  });
});

describe('startService', () => {
  it('fails at once, saying so, when the command is not there', async () => {
    const started = Date.now();
    await expect(startService('a missing tool', 'vigil-no-such-command', [], async () => true)).rejects.toThrow(
      /a missing tool: vigil-no-such-command did not start: spawn vigil-no-such-command ENOENT/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
