import { deleteKeys, TEST_DATABASE_ADMIN_URL, TEST_REDIS_URL } from '@vigil/stack';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { redisOptions } from '@vigil/contract/redis';
import Redis from 'ioredis';
import { Client } from 'pg';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { DataSource } from 'typeorm';
import { createApi } from '../bootstrap';
import { type AppConfig, loadConfig } from '../config/config';

const ADMIN_URL = TEST_DATABASE_ADMIN_URL;
export const SUPPORT = { email: 'support@vigil.test', password: 'support-password-1' };

/**
 * The real api on a fresh PostgreSQL database made for this test file (migrations, not
 * synchronize), on real Redis. `close()` drops the database.
 */
export class TestApi {
  private constructor(
    readonly app: NestExpressApplication,
    readonly config: AppConfig,
    private readonly dbName: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<TestApi> {
    const dbName = `vigil_test_${randomBytes(6).toString('hex')}`;
    const url = new URL(ADMIN_URL);
    url.pathname = `/${dbName}`;
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: url.toString(),
      REDIS_URL: TEST_REDIS_URL,
      // Each test app publishes under its own prefix, so parallel test files never see each other's zones.
      REDIS_KEY_PREFIX: `${dbName}:`,
      SUPPORT_EMAIL: SUPPORT.email,
      SUPPORT_PASSWORD: SUPPORT.password,
      SIGNIN_RATE_LIMIT_PER_MINUTE: '1000',
      // Every request of a test file comes from 127.0.0.1; suites that test the limits set their own.
      RATE_LIMIT_PER_MINUTE: '100000',
      SIGNIN_FAILURES_PER_ACCOUNT: '1000',
      // A key of its own, so no test writes a key file.
      SECRETS_KEY: randomBytes(32).toString('base64'),
      ...env,
    });
    const app = await createApi(config);
    await app.init();
    return new TestApi(app, config, dbName);
  }

  http(): TestAgent {
    return request(this.app.getHttpServer());
  }

  /** An agent that keeps cookies, like a browser. */
  agent(): TestAgent {
    return request.agent(this.app.getHttpServer());
  }

  /** Signs up a new customer; returns their cookie-keeping agent and account id. */
  async customer(label = 'c'): Promise<{ agent: TestAgent; email: string; accountId: string }> {
    const agent = this.agent();
    const email = `${label}-${randomBytes(4).toString('hex')}@example.com`;
    const res = await agent.post('/v2/auth/signup').send({ email, password: 'correct-horse-1' }).expect(201);
    return { agent, email, accountId: res.body.current_account_id };
  }

  async support(): Promise<TestAgent> {
    const agent = this.agent();
    await agent.post('/v2/auth/signin').send(SUPPORT).expect(200);
    return agent;
  }

  /** Creates an API token with the customer's session; returns the secret. */
  async token(agent: TestAgent, name = 'integration'): Promise<string> {
    const res = await agent.post('/v2/account/tokens').send({ name }).expect(201);
    return res.body.token;
  }

  /** The app's own DataSource, to look at (or age) rows as the app stored them. */
  ds(): DataSource {
    return this.app.get<DataSource>(getDataSourceToken());
  }

  /** Adds an already signed-up user to an account, with the owner's agent. */
  async addMember(owner: TestAgent, email: string, role: 'owner' | 'member' = 'member'): Promise<string> {
    const res = await owner.post('/v2/account/members').send({ email, role }).expect(201);
    return res.body.user_id;
  }

  async grantFailover(accountId: string): Promise<void> {
    const support = await this.support();
    await support
      .patch(`/v2/admin/accounts/${accountId}`)
      .send({ features: { failover: true } })
      .expect(200);
  }

  /** A new customer with the beta feature and an API token, owning `zone`: what the failover specs start from. */
  async failoverZone(zone: string, label = 'c'): Promise<{ agent: TestAgent; accountId: string; token: string }> {
    const c = await this.customer(label);
    const token = await this.token(c.agent);
    await this.grantFailover(c.accountId);
    await this.http().post('/v2/zones').set(apiKey(token)).send({ name: zone }).expect(201);
    return { agent: c.agent, accountId: c.accountId, token };
  }

  /** A Redis client that sees the keys as the app and the data plane name them (prefix applied). */
  redis(): Redis {
    return new Redis(redisOptions(this.config.redis, 'primary', { keyPrefix: this.config.REDIS_KEY_PREFIX }));
  }

  async close(): Promise<void> {
    await this.app.close();
    // With Sentinels the test's own servers hold the keys, and go with it.
    if (!this.config.redis.sentinels) await deleteKeys(this.config.REDIS_URL, this.config.REDIS_KEY_PREFIX);
    const c = new Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`);
    await c.end();
  }
}

export const apiKey = (token: string) => ({ Authorization: `APIKey ${token}` });

interface ErrorResponse {
  status: number;
  body: unknown;
}

/**
 * Asserts a 400 in the API's error shape, `{"error": "...", "details": [{"field", "reason"}]}`,
 * with a detail for `field`; returns that detail's reason.
 */
export function expectInvalid(res: ErrorResponse, field: string): string {
  const body = res.body as { error?: unknown; details?: { field: unknown; reason: unknown }[] };
  if (res.status !== 400) throw new Error(`expected 400 naming ${field}, got ${res.status} ${JSON.stringify(res.body)}`);
  expect(typeof body.error).toBe('string');
  expect((body.error as string).length).toBeGreaterThan(0);
  expect(Array.isArray(body.details)).toBe(true);
  for (const d of body.details!) {
    expect(Object.keys(d).sort()).toEqual(['field', 'reason']);
    expect(typeof d.field).toBe('string');
    expect(typeof d.reason).toBe('string');
  }
  const hit = body.details!.find((d) => d.field === field);
  if (!hit) throw new Error(`expected a detail for ${field}, got ${JSON.stringify(body.details)}`);
  return hit.reason as string;
}

/** Asserts an error status with the API's `{"error": "..."}` body; returns the message. */
export function expectError(res: ErrorResponse, status: number): string {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as { error?: unknown };
  expect(typeof body.error).toBe('string');
  return body.error as string;
}
