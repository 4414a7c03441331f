// Checks api_user/api_key pairs against the store, for either kind of account (account.ts):
// a reseller's api_user or a customer's username — one namespace — with the account's key.
// - A verified pair is remembered for a short while as a SHA-256 digest of the key together with
//   the stored hash it was verified against, so a request costs one indexed lookup, one hash and
//   a constant-time compare instead of a scrypt. Because the stored hash (and a customer's
//   disabled flag) is looked up every time — from the store, which on SQLite answers from memory
//   kept exact by PRAGMA data_version (store/accountMemo.ts) — `reseller rotate-key`,
//   `customer set-key` and `customer disable` take effect at once, in every process.
// - An unknown name, or a name of a kind the endpoint does not take, still pays a scrypt, so
//   timing reveals neither which accounts exist nor of which kind they are.
// - The slow check runs through the process's one KeyCheckGate: throttled per address and per
//   api_user, counted before it starts, bounded in concurrency (see keyCheckGate.ts).
// - Resellers created before migration 002 have no key lookup digest, so the v3 API cannot find
//   them by Bearer key; the first cold-path verification of their key fills it in.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AlreadyExistsError, StorageUnavailableError, unauthorized } from '../domain/errors.js';
import type { Reseller, Store } from '../store/types.js';
import { type Account, type AccountKind, customerKey } from './account.js';
import { keyLookupDigest } from './keyDigest.js';
import { MAX_API_KEY_LENGTH, verifyApiKey } from './keys.js';
import { KeyCheckGate } from './keyCheckGate.js';

interface CacheEntry {
  digest: Buffer;
  keyHash: Buffer;
  expires: number;
}

interface Candidate {
  salt: Buffer;
  hash: Buffer;
  account: Account;
}

const MAX_ENTRIES = 10_000;
const DUMMY_SALT = randomBytes(16);
const DUMMY_HASH = randomBytes(32);
const RESELLERS: readonly AccountKind[] = ['reseller'];

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
    const account = await this.authenticateAccount(apiUser, apiKey, address, RESELLERS);
    if (account.kind !== 'reseller') throw unauthorized();
    return account.reseller;
  }

  /** The account, of one of `kinds`, these credentials belong to; throws 401 or 429. */
  async authenticateAccount(apiUser: string | undefined, apiKey: string | undefined, address: string, kinds: readonly AccountKind[]): Promise<Account> {
    return (await this.verify(apiUser, apiKey, address, kinds)).account;
  }

  /**
   * As authenticateAccount, with the stored key hash the key was checked against: a dashboard
   * session is tied to that hash, so a key replaced while the sign-in was under way is not
   * carried over to the new one.
   */
  async verify(apiUser: string | undefined, apiKey: string | undefined, address: string, kinds: readonly AccountKind[]): Promise<{ account: Account; keyHash: Buffer }> {
    if (!apiUser || !apiKey || apiKey.length > MAX_API_KEY_LENGTH || apiUser.length > 255) throw unauthorized();
    const digest = sha256(apiKey);
    const candidate = await this.candidate(apiUser, kinds);

    const cacheKey = candidate ? `${candidate.account.kind}\0${apiUser}` : '';
    const hit = this.cache.get(cacheKey);
    if (candidate && hit && hit.expires > Date.now() && hit.keyHash.equals(candidate.hash) && timingSafeEqual(hit.digest, digest)) {
      return { account: candidate.account, keyHash: candidate.hash };
    }

    const flightKey = createHash('sha256').update(JSON.stringify([kinds, apiUser, apiKey])).digest('base64');
    const verified = await this.gate.check(address, apiUser, flightKey, async () => {
      if (!candidate) return (await verifyApiKey(apiKey, DUMMY_SALT, DUMMY_HASH), null);
      if (!(await verifyApiKey(apiKey, candidate.salt, candidate.hash))) return null;
      if (candidate.account.kind === 'reseller' && !candidate.account.reseller.keyDigest) await this.fillKeyDigest(candidate.account.reseller, apiKey);
      return candidate;
    });
    if (!verified) throw unauthorized();
    if (this.ttlMs > 0) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(cacheKey, { digest, keyHash: verified.hash, expires: Date.now() + this.ttlMs });
    }
    return { account: verified.account, keyHash: verified.hash };
  }

  /** The account named `name` among `kinds`, with the key it must present; null when none may. */
  private async candidate(name: string, kinds: readonly AccountKind[]): Promise<Candidate | null> {
    if (kinds.includes('reseller')) {
      const reseller = await this.store.findReseller(name);
      if (reseller) return { salt: reseller.keySalt, hash: reseller.keyHash, account: { kind: 'reseller', reseller } };
    }
    if (kinds.includes('customer')) return customerKey(await this.store.findCustomerAccount(name));
    return null;
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
