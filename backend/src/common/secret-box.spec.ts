import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, with a fresh IV each time', () => {
    const a = box.seal('https://hooks.slack.com/services/T0/B0/secret');
    expect(a).not.toContain('secret');
    expect(a).not.toBe(box.seal('https://hooks.slack.com/services/T0/B0/secret'));
    expect(box.open(a)).toBe('https://hooks.slack.com/services/T0/B0/secret');
  });

  it('refuses a changed text and another key', () => {
    const sealed = box.seal('routing-key');
    // One bit changed in the IV, in the tag and in the ciphertext, each refused. The change is made
    // on the bytes: a base64 character's last bits can be padding that decoding ignores.
    const raw = Buffer.from(sealed.slice('v1.'.length), 'base64url');
    for (const at of [0, 12, raw.length - 1]) {
      const changed = Buffer.from(raw);
      changed[at] ^= 1;
      expect(() => box.open(`v1.${changed.toString('base64url')}`)).toThrow();
    }
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
    expect(() => box.open('plain')).toThrow('not a sealed secret');
  });

  it('takes its key from SECRETS_KEY, else makes and then reuses a key file only its owner reads', () => {
    const key = randomBytes(32);
    const sealed = new SecretBox(key).seal('x');
    expect(SecretBox.load({ SECRETS_KEY: key.toString('base64'), SECRETS_KEY_FILE: '/nonexistent/key' }).open(sealed)).toBe('x');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-key-'));
    try {
      const file = join(dir, 'sub', 'secrets.key');
      const logged: string[] = [];
      const first = SecretBox.load({ SECRETS_KEY_FILE: file }, (m) => logged.push(m));
      expect(logged).toEqual([expect.stringContaining(file)]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
      expect(SecretBox.load({ SECRETS_KEY_FILE: file }).open(first.seal('y'))).toBe('y');
      expect(() => SecretBox.load({ SECRETS_KEY: 'c2hvcnQ=', SECRETS_KEY_FILE: file })).toThrow('32 bytes');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
