import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const VERSION = 'v1';

/**
 * Seals secrets the api must use again in clear (a webhook's signing secret, a Slack URL, a
 * PagerDuty key), so a copy of the database alone does not give them away: AES-256-GCM with a
 * key kept outside PostgreSQL, a fresh IV per secret, the tag checked on opening.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the secrets key must be 32 bytes');
  }

  /**
   * The key from SECRETS_KEY (base64 of 32 bytes), else from the file SECRETS_KEY_FILE, which is
   * made (mode 0600) with a new random key when it does not exist yet.
   */
  static load(config: { SECRETS_KEY?: string; SECRETS_KEY_FILE: string }, log?: (message: string) => void): SecretBox {
    if (config.SECRETS_KEY) return new SecretBox(Buffer.from(config.SECRETS_KEY, 'base64'));
    const file = config.SECRETS_KEY_FILE;
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      log?.(`Made a new secrets key in ${file}: keep it with the database's backups, the channels' secrets need it`);
    }
    chmodSync(file, 0o600);
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} must hold the base64 of 32 bytes`);
    return new SecretBox(key);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url')}`;
  }

  /** Throws when the sealed text was changed or sealed with another key. */
  open(sealed: string): string {
    const [version, body] = sealed.split('.');
    if (version !== VERSION || !body) throw new Error('not a sealed secret');
    const raw = Buffer.from(body, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
