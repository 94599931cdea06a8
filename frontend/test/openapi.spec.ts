import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * The panel's client is generated from the committed OpenAPI document; this fails when the api's
 * routes or schemas changed without `npm run generate:api -w frontend`.
 */
describe('the generated API client', () => {
  it('was generated from the OpenAPI document the api serves now', () => {
    const current = execFileSync(process.execPath, [join(ROOT, 'backend', 'dist', 'cli.js'), 'openapi'], {
      env: { ...process.env, LOG_LEVEL: 'silent' },
      maxBuffer: 16 << 20,
    }).toString();
    const committed = readFileSync(join(ROOT, 'frontend', 'openapi.json'), 'utf8');
    expect(JSON.parse(committed)).toEqual(JSON.parse(current));
  });
});
