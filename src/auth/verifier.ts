// Checks api_user/api_key pairs against the store. A verified pair is remembered briefly as a
// SHA-256 digest of the key, so repeated calls cost one hash and a constant-time compare rather
// than a scrypt; an unknown api_user still pays a scrypt, so timing does not reveal which
// resellers exist.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Reseller, Store } from '../store/types.js';
import { MAX_API_KEY_LENGTH, verifyApiKey } from './keys.js';

interface CacheEntry {
  digest: Buffer;
  reseller: Reseller;
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
  ) {}

  async verify(apiUser: string | undefined, apiKey: string | undefined): Promise<Reseller | null> {
    if (!apiUser || !apiKey || apiKey.length > MAX_API_KEY_LENGTH || apiUser.length > 255) return null;
    const digest = sha256(apiKey);
    const hit = this.cache.get(apiUser);
    if (hit && hit.expires > Date.now() && timingSafeEqual(hit.digest, digest)) return hit.reseller;

    const reseller = await this.store.findReseller(apiUser);
    const ok = reseller
      ? await verifyApiKey(apiKey, reseller.keySalt, reseller.keyHash)
      : (await verifyApiKey(apiKey, DUMMY_SALT, DUMMY_HASH), false);
    if (!ok || !reseller) return null;

    if (this.ttlMs > 0) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(apiUser, { digest, reseller, expires: Date.now() + this.ttlMs });
    }
    return reseller;
  }

  /** Forget a reseller's cached verification (after its key changes). */
  forget(apiUser: string): void {
    this.cache.delete(apiUser);
  }
}
