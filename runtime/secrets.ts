import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Hashing of the two kinds of secret the API stores. Passwords are chosen by
 * people and guessable, so they get scrypt with a salt; API keys are 256
 * random bits, where a plain SHA-256 is enough and keeps every request's key
 * check cheap.
 */

const scryptParams = { N: 16_384, r: 8, p: 1 } as const;
const keyLength = 32;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, scryptParams, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** `scrypt$<salt>$<hash>`, both base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export const apiKeyPrefix = 'rek_';

/** A new API key: the id is public (lists, revocation), the secret is shown once. */
export function newApiKey(): { keyId: string; key: string; hash: string } {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const key = `${apiKeyPrefix}${keyId}_${secret}`;
  return { keyId, key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The key id of a well-formed key, or undefined. */
export function apiKeyId(key: string): string | undefined {
  return /^rek_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/.exec(key)?.[1];
}

export function sameSecret(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

/** A stable fingerprint of a request, for Idempotency-Key comparison. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
