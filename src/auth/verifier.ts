// Checks api_user/api_key pairs against the store.
// - A verified pair is remembered for a short while as a SHA-256 digest of the key together with
//   the stored hash it was verified against, so a request costs one indexed lookup, one hash and
//   a constant-time compare instead of a scrypt. Because the stored hash is re-read every time,
//   `reseller rotate-key` invalidates the old key at once, in every process.
// - An unknown api_user still pays a scrypt, so timing does not reveal which resellers exist.
// - The slow check runs through the process's one KeyCheckGate: throttled per address and per
//   api_user, counted before it starts, bounded in concurrency (see keyCheckGate.ts).
// - Resellers created before migration 002 have no key lookup digest, so the v3 API cannot find
//   them by Bearer key; the first cold-path verification of their key fills it in.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AlreadyExistsError, StorageUnavailableError, unauthorized } from '../domain/errors.js';
import type { Reseller, Store } from '../store/types.js';
import { keyLookupDigest } from './keyDigest.js';
import { MAX_API_KEY_LENGTH, verifyApiKey } from './keys.js';
import { KeyCheckGate } from './keyCheckGate.js';

interface CacheEntry {
  digest: Buffer;
  keyHash: Buffer;
  expires: number;
}

const MAX_ENTRIES = 10_000;
const DUMMY_SALT = randomBytes(16);
const DUMMY_HASH = randomBytes(32);

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

export class CredentialVerifier {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs: number,
    private readonly gate = new KeyCheckGate(),
  ) {}

  /** The reseller these credentials belong to; throws 401 (wrong) or 429 (throttled). */
  async authenticate(apiUser: string | undefined, apiKey: string | undefined, address: string): Promise<Reseller> {
    if (!apiUser || !apiKey || apiKey.length > MAX_API_KEY_LENGTH || apiUser.length > 255) throw unauthorized();
    const digest = sha256(apiKey);
    const reseller = await this.store.findReseller(apiUser);

    const hit = this.cache.get(apiUser);
    if (reseller && hit && hit.expires > Date.now() && hit.keyHash.equals(reseller.keyHash) && timingSafeEqual(hit.digest, digest)) {
      return reseller;
    }

    const flightKey = createHash('sha256').update(JSON.stringify([apiUser, apiKey])).digest('base64');
    const verified = await this.gate.check(address, apiUser, flightKey, async () => {
      if (!reseller) return (await verifyApiKey(apiKey, DUMMY_SALT, DUMMY_HASH), null);
      if (!(await verifyApiKey(apiKey, reseller.keySalt, reseller.keyHash))) return null;
      if (!reseller.keyDigest) await this.fillKeyDigest(reseller, apiKey);
      return reseller;
    });
    if (!verified) throw unauthorized();
    if (this.ttlMs > 0) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(apiUser, { digest, keyHash: verified.keyHash, expires: Date.now() + this.ttlMs });
    }
    return verified;
  }

  private async fillKeyDigest(reseller: Reseller, apiKey: string): Promise<void> {
    try {
      await this.store.setResellerKeyDigest(reseller.id, await keyLookupDigest(apiKey));
    } catch (err) {
      // Another reseller already has this key (two resellers given one key before 002, which
      // `reseller add` now refuses): that one keeps it for v3. Storage trouble: next time.
      // Either way the v1/webhook request itself succeeds.
      if (!(err instanceof AlreadyExistsError) && !(err instanceof StorageUnavailableError)) throw err;
    }
  }
}
