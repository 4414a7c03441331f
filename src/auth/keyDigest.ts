// The lookup digest of an api_key (migration 002): lets the v3 API find the one reseller a
// Bearer key can belong to with an indexed lookup, instead of running scrypt against every
// reseller. The candidate's per-key-salted scrypt hash still proves the key.
//
// The digest is itself a scrypt (same cost as the stored hash) under a fixed, versioned salt:
// a fast hash here would let anyone holding a copy of the database test guesses at SHA-256
// speed and undo what scrypt buys for hand-chosen keys. It is computed only on the cold path
// (a key not in the verifier caches), so its cost is paid once per key per cache period.
import { scrypt } from 'node:crypto';

const SALT = 'mailtally/reseller-key-lookup/v1';
const OPTIONS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export function keyLookupDigest(apiKey: string): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(apiKey, SALT, 32, OPTIONS, (err, out) => (err ? reject(err) : resolve(out))));
}
