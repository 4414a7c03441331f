// v3 authentication: `Authorization: Bearer <api_key>`, where the key alone names the reseller.
// Warm path: a key verified recently is found in the cache by a SHA-256 of the key, and the
// reseller it named is re-read so a rotated key stops working at once (as for v1). Cold path:
// the key's lookup digest (a scrypt, keyDigest.ts) finds the one candidate, whose per-key
// scrypt hash then proves the key. Both scrypts run through the process's one KeyCheckGate,
// under the same per-address budget as every other way of presenting a key.
import { createHash } from 'node:crypto';
import type { Reseller, Store } from '../store/types.js';
import { keyLookupDigest } from './keyDigest.js';
import { MAX_API_KEY_LENGTH, verifyApiKey } from './keys.js';
import { KeyCheckGate } from './keyCheckGate.js';

interface CacheEntry {
  apiUser: string;
  keyHash: Buffer;
  expires: number;
}

const MAX_ENTRIES = 10_000;

/** The key of an `Authorization: Bearer <key>` header, or undefined. */
export function bearerKey(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer +(\S(?:.*\S)?) *$/i.exec(header);
  return m ? m[1] : undefined;
}

export class BearerVerifier {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs: number,
    private readonly gate = new KeyCheckGate(),
  ) {}

  /** The reseller owning `apiKey`, or null; throws 429 while the address is throttled. */
  async authenticate(apiKey: string | undefined, address: string): Promise<Reseller | null> {
    // No key at all is not a guess, so it does not count towards the throttle.
    if (!apiKey || apiKey.length > MAX_API_KEY_LENGTH) return null;
    const id = createHash('sha256').update(apiKey, 'utf8').digest('hex');
    const hit = this.cache.get(id);
    if (hit && hit.expires > Date.now()) {
      const reseller = await this.store.findReseller(hit.apiUser);
      if (reseller?.keyHash.equals(hit.keyHash)) return reseller;
      this.cache.delete(id);
    }

    // A Bearer key names no account, so only the per-address limit applies.
    const reseller = await this.gate.check(address, undefined, `bearer ${id}`, async () => {
      const candidate = await this.store.findResellerByKeyDigest(await keyLookupDigest(apiKey));
      return candidate && (await verifyApiKey(apiKey, candidate.keySalt, candidate.keyHash)) ? candidate : null;
    });
    if (!reseller) return null;
    if (this.ttlMs > 0) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(id, { apiUser: reseller.apiUser, keyHash: reseller.keyHash, expires: Date.now() + this.ttlMs });
    }
    return reseller;
  }
}
