// v3 authentication: `Authorization: Bearer <api_key>`, where the key alone names the account —
// a reseller, or a customer with its own key (account.ts). Warm path: a key verified recently
// is found in the cache by a SHA-256 of the key, and the account it named is re-read so a
// rotated key or a disabled customer stops working at once (as for v1). Cold path: the key's
// lookup digest (a scrypt, keyDigest.ts) finds the one candidate, whose per-key scrypt hash
// then proves the key. Both scrypts run through the process's one KeyCheckGate,
// under the same per-address budget as every other way of presenting a key.
import { createHash } from 'node:crypto';
import type { Store } from '../store/types.js';
import { type Account, type AccountKind, customerKey } from './account.js';
import { keyLookupDigest } from './keyDigest.js';
import { MAX_API_KEY_LENGTH, verifyApiKey } from './keys.js';
import { KeyCheckGate } from './keyCheckGate.js';

interface CacheEntry {
  kind: AccountKind;
  name: string;
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

  /** The account owning `apiKey`, or null; throws 429 while the address is throttled. */
  async authenticate(apiKey: string | undefined, address: string): Promise<Account | null> {
    // No key at all is not a guess, so it does not count towards the throttle.
    if (!apiKey || apiKey.length > MAX_API_KEY_LENGTH) return null;
    const id = createHash('sha256').update(apiKey, 'utf8').digest('hex');
    const hit = this.cache.get(id);
    if (hit && hit.expires > Date.now()) {
      const current = await this.reread(hit);
      if (current) return current;
      this.cache.delete(id);
    }

    // A Bearer key names no account, so only the per-address limit applies.
    const found = await this.gate.check(address, undefined, `bearer ${id}`, async () => {
      const digest = await keyLookupDigest(apiKey);
      // `reseller add`, `rotate-key` and `customer set-key` refuse a key the other kind holds,
      // so at most one of these finds it.
      const reseller = await this.store.findResellerByKeyDigest(digest);
      const candidate = reseller
        ? { salt: reseller.keySalt, hash: reseller.keyHash, account: { kind: 'reseller', reseller } as Account }
        : customerKey(await this.store.findCustomerByKeyDigest(digest));
      return candidate && (await verifyApiKey(apiKey, candidate.salt, candidate.hash)) ? candidate : null;
    });
    if (!found) return null;
    if (this.ttlMs > 0) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      const name = found.account.kind === 'reseller' ? found.account.reseller.apiUser : found.account.customer.username;
      this.cache.set(id, { kind: found.account.kind, name, keyHash: found.hash, expires: Date.now() + this.ttlMs });
    }
    return found.account;
  }

  /** The cached account as stored now, if it still holds the key it was verified with. */
  private async reread(hit: CacheEntry): Promise<Account | null> {
    if (hit.kind === 'reseller') {
      const reseller = await this.store.findReseller(hit.name);
      return reseller?.keyHash.equals(hit.keyHash) ? { kind: 'reseller', reseller } : null;
    }
    const current = customerKey(await this.store.findCustomerAccount(hit.name));
    return current?.hash.equals(hit.keyHash) ? current.account : null;
  }
}
