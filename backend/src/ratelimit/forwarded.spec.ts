import { localApiEnv, ROOT } from '@vigil/stack';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestApi } from '../testing/test-app';

/** A setting of the api service in docker-compose.yml, its YAML alias (`*name`) resolved. */
function composeApiSetting(key: string): string {
  const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  const api = /^ {2}api:\n((?: {4,}.*\n|\n)*)/m.exec(text)?.[1] ?? '';
  let value = new RegExp(`^\\s+${key}:\\s*(.+)$`, 'm').exec(api)?.[1]?.trim();
  if (value === undefined) throw new Error(`docker-compose.yml: the api sets no ${key}`);
  const alias = /^\*([\w-]+)$/.exec(value)?.[1];
  if (alias) value = new RegExp(`&${alias}\\s+(\\S+)`).exec(text)?.[1];
  return (value ?? '').replace(/^'(.*)'$/, '$1');
}

/**
 * A client that reaches the api directly, not through the panel's proxy, and sends a new
 * X-Forwarded-For with every sign-in attempt: each would be a fresh client address with a budget
 * of its own if the api believed the header. The sign-in limit (3 a minute here) must count them
 * as the one address they come from.
 */
async function rotatingForwardedFor(trustProxy: string | undefined): Promise<number[]> {
  const api = await TestApi.start({ SIGNIN_RATE_LIMIT_PER_MINUTE: '3', ...(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy }) });
  try {
    const statuses: number[] = [];
    for (let i = 1; i <= 40; i++) {
      const res = await api
        .http()
        .post('/v2/auth/signin')
        .set('X-Forwarded-For', `203.0.113.${i}`)
        .send({ email: `guess-${i}@example.com`, password: 'guessed-password' });
      statuses.push(res.status);
    }
    return statuses;
  } finally {
    await api.close();
  }
}

const limited = [401, 401, 401, ...Array<number>(37).fill(429)];

describe('X-Forwarded-For from a client that reaches the api directly', () => {
  it('mints no fresh sign-in budgets under npm start (the api on loopback, as the panel proxy)', async () => {
    expect(await rotatingForwardedFor(localApiEnv({}, 5173).TRUST_PROXY)).toEqual(limited);
  }, 60_000);

  it('mints none under docker-compose.yml either, whose api port is published', async () => {
    // Published-port clients arrive from their own address or Docker's gateway, never from the panel's.
    expect(await rotatingForwardedFor(composeApiSetting('TRUST_PROXY'))).toEqual(limited);
  }, 60_000);
});
