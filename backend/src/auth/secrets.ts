import { createHash, randomBytes } from 'node:crypto';

/** A random secret with a readable prefix, e.g. `vgl_…` for API tokens. */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/**
 * Tokens and session ids carry 256 random bits, so a fast hash is enough at rest
 * (a slow hash would only slow every request); passwords use argon2id instead.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
