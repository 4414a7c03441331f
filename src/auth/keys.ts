// API keys: generated from 32 random bytes, stored only as scrypt(key, per-key salt), compared
// in constant time. scrypt runs on libuv's thread pool, so a verification never blocks requests.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
// N=2^15 takes ~50 ms here; a cache of verified credentials keeps it off the hot path.
const SCRYPT_OPTIONS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export const MAX_API_KEY_LENGTH = 1024;

export function generateApiKey(): string {
  return randomBytes(32).toString('base64url');
}

function derive(key: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(key, salt, KEY_LENGTH, SCRYPT_OPTIONS, (err, out) => (err ? reject(err) : resolve(out))),
  );
}

export async function hashApiKey(key: string): Promise<{ salt: Buffer; hash: Buffer }> {
  const salt = randomBytes(SALT_LENGTH);
  return { salt, hash: await derive(key, salt) };
}

export async function verifyApiKey(key: string, salt: Buffer, hash: Buffer): Promise<boolean> {
  const candidate = await derive(key, salt);
  return candidate.length === hash.length && timingSafeEqual(candidate, hash);
}
