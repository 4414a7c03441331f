// Reseller and customer records in memory, kept exact. Every authenticated call looks its
// account up (and a stats call its customer too); on SQLite each lookup was a query. The
// answers are remembered until anything may have changed them:
// - a commit by another connection that changed a reseller or customer record (another server
//   process, the CLI's `customer disable`, `reseller rotate-key`, …): `sync`, called on every
//   lookup, learns of it (SQLite: sqliteChanges.ts) and calls forget(); the next lookup after
//   that commit reads the database again;
// - any store method of this process other than the known reads and the ingest/prune writes
//   (which touch no account record) forgets everything when it runs: a method added later is
//   covered by default.
// An answer loaded while such a change happened is not kept (the version is taken before the
// load and compared after). Failed lookups are not kept. Bounded by entry count, least recently
// used first.
import type { Store } from './types.js';

/** Lookups remembered; their single argument is the key. */
const LOOKUPS = new Set(['findReseller', 'findResellerByKeyDigest', 'findCustomer', 'findCustomerAccount', 'findCustomerByKeyDigest']);

/** Methods that change no reseller or customer record (reads, ingest, pruning, stats). */
const LEAVES_ACCOUNTS = new Set([
  'backend',
  'providerWebhookKey',
  'claimWebhookToken',
  'resellerAggregate',
  'resellerCategoryAggregate',
  'resellerCategories',
  'readCacheStats',
  'writerStats',
  'customersOf',
  'sumsByCustomer',
  'resellerDaily',
  'resellerCategoryDaily',
  'resellerKnownCategories',
  'categorySums',
  'applyBatch',
  'pruneExpired',
  'pruneQuarantine',
  'daily',
  'categoryDaily',
  'providerDaily',
  'aggregate',
  'categoryAggregate',
  'categories',
  'categorySumsPage',
  'knownCategories',
  'quarantined',
  'schemaVersion',
  // Reads of issues 13–14, and list deletions and additions (they change no account record).
  'resellerBrand',
  'customerNameHeld',
  'listCustomers',
  'findCustomerEvenDeleted',
  'suppressions',
  'suppressionsByAddress',
  'suppression',
  'deleteSuppressions',
  'addSuppression',
]);

export const ACCOUNT_MEMO_ENTRIES = 10_000;

export interface AccountMemoStats {
  accountHits: number;
  accountMisses: number;
}

export class AccountMemo {
  private readonly entries = new Map<string, unknown>();
  private epoch = 0;
  readonly counts: AccountMemoStats = { accountHits: 0, accountMisses: 0 };

  constructor(
    /** Brings the memo up to date with other connections' commits (calls forget when needed). */
    private readonly sync: () => void,
    private readonly max = ACCOUNT_MEMO_ENTRIES,
  ) {}

  /** A token that changes whenever remembered answers may have gone stale. */
  private token(): number {
    this.sync();
    return this.epoch;
  }

  forget(): void {
    this.epoch++;
    this.entries.clear();
  }

  async lookup<T>(key: string, load: () => Promise<T>): Promise<T> {
    const before = this.token();
    if (this.entries.has(key)) {
      const value = this.entries.get(key) as T;
      this.entries.delete(key); // re-insert: a Map iterates oldest first
      this.entries.set(key, value);
      this.counts.accountHits++;
      return value;
    }
    this.counts.accountMisses++;
    const value = await load();
    if (this.token() === before) {
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, value);
    }
    return value;
  }
}

const keyOf = (arg: unknown): string => (Buffer.isBuffer(arg) ? arg.toString('hex') : String(arg));

/** `store` with its account lookups remembered in `memo` and every other write forgetting them. */
export function withAccountMemo(store: Store, memo: AccountMemo): Store {
  const out: Record<string, unknown> = { ...store };
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== 'function') continue;
    const fn = value as (...args: unknown[]) => unknown;
    if (LOOKUPS.has(name)) {
      out[name] = (arg: unknown) => memo.lookup(`${name}\0${keyOf(arg)}`, () => fn(arg) as Promise<unknown>);
    } else if (!LEAVES_ACCOUNTS.has(name)) {
      out[name] = (...args: unknown[]) => {
        memo.forget();
        const result = fn(...args);
        memo.forget();
        // An asynchronous write: also forget once it has finished.
        if (result instanceof Promise) return result.finally(() => memo.forget());
        return result;
      };
    }
  }
  return out as unknown as Store;
}
