// The one storage interface both backends implement; `store` knows nothing of HTTP or the CLI.
import type { NormalizedEvent } from '../domain/events.js';
import type { Metric, MetricRow } from '../domain/metrics.js';
import type { QuarantineLimits } from '../domain/quarantineRows.js';
import type { Profile, ProfileField, SearchableField } from '../domain/customerProfile.js';
import type { DayRange } from '../domain/ranges.js';
import type { SuppressionEntry, SuppressionList } from '../domain/suppression.js';
import type { ReadCacheStats } from './readCache.js';
import type { AnswerCache } from './answerCache.js';

export interface Reseller {
  id: number;
  apiUser: string;
  keySalt: Buffer;
  keyHash: Buffer;
  /** The key's lookup digest (auth/keyDigest.ts); null until first filled in. */
  keyDigest: Buffer | null;
  /** Dashboard sessions carry this; bumped by sign-out and key rotation (migration 004). */
  sessionVersion: number;
}

/** An account that signs in to the dashboard: a reseller, or a customer with its own key. */
export interface SessionAccount {
  kind: 'reseller' | 'customer';
  id: number;
}

/** A reseller's brand (`reseller set-brand`, migration 010): what its customers' dashboards show. */
export interface Brand {
  /** 1–64 printable characters; shown as text, never as markup. */
  name: string;
  /** '#rrggbb', lower case. */
  color: string;
}

export interface Customer {
  id: number;
  username: string;
  resellerId: number;
  timezone: string;
  /** Event Webhook verification key (PEM); when set, every webhook request must be signed. */
  webhookKey: string | null;
}

/** A customer's own credentials (migration 009): null until `customer set-key`. */
export interface CustomerAccount {
  customer: Customer;
  keySalt: Buffer | null;
  keyHash: Buffer | null;
  keyDigest: Buffer | null;
  /** `customer disable`: its credentials stop working; its events are still counted. */
  disabled: boolean;
  /** Dashboard sessions carry this; bumped by sign-out, set-key and disable (migration 010). */
  sessionVersion: number;
}

/** A customer as the reseller's customer list shows it (SPEC section 9). */
export interface CustomerRecord {
  customer: Customer;
  disabled: boolean;
  /** Empty strings where nothing was stored (customers created by the CLI). */
  profile: Profile;
}

/** Credentials stored for a customer: scrypt hash under its salt, and the Bearer lookup digest. */
export interface StoredKey {
  salt: Buffer;
  hash: Buffer;
  /** Null when the key cannot name the customer alone (another account holds the same key). */
  digest: Buffer | null;
}

export interface NewCustomer {
  username: string;
  resellerId: number;
  timezone: string;
  key: StoredKey | null;
  /** Stored in customer_profiles when given; the fields left out are stored empty. */
  profile: Partial<Profile> | null;
}

/** One page of a reseller's customers (not deleted), in binary username order. */
export interface CustomerListQuery {
  /** Exact matches; `username` too. */
  filters: Partial<Record<SearchableField | 'username', string>>;
  /** true: enabled only, false: disabled only. */
  active?: boolean;
  /** Keyset: usernames after this one. */
  after?: string | null;
  /** Indexed offset (v3's `offset`), applied after `after`. */
  offset?: number;
  limit: number;
}

/** An event that failed validation, kept in quarantine with its reason. */
export interface Rejection {
  index: number;
  error: string;
  /** The event as received (JSON text, or the raw line when it was not JSON). */
  payload: string;
}

export interface Quarantined {
  id: number;
  index: number;
  error: string;
  payload: string;
  receivedAt: Date;
}

export type TokenClaim = 'fresh' | 'retry' | 'replay';

export interface BatchResult {
  accepted: number;
  duplicates: number;
}

/** A connection pool's use right now (PostgreSQL; SQLite has no pool). */
export interface PoolStats {
  /** Connections open, idle or checked out. */
  total: number;
  idle: number;
  /** Callers queued for a connection because all `max` are checked out. */
  waiting: number;
  max: number;
}

/** Keyset paging through a customer's category names, in binary order. */
export interface NamePage {
  /** The last name of the previous page; null for the first page. */
  after: string | null;
  limit: number;
}

/** One page of a suppression list, newest first (`created` desc, then email desc). */
export interface SuppressionQuery {
  list: SuppressionList;
  /** `created` from / to, unix seconds, inclusive. */
  from?: number;
  to?: number;
  /** Keyset: the last entry of the previous page; absent for the first page. */
  after?: { created: number; email: string };
  /** Entries skipped before the page (v3 `offset`); callers keep it bounded. */
  skip?: number;
  limit: number;
}

/** One page of a suppression list in address order, for a prefix search. */
export interface AddressQuery {
  list: SuppressionList;
  /** Addresses starting with this ('' = all). */
  prefix: string;
  /** Keyset: the last address of the previous page. */
  after?: string;
  limit: number;
}

/** Suppression lists (migration 012, SPEC section 9); rows are written by applyBatch. */
export interface SuppressionStore {
  suppressions(customerId: number, query: SuppressionQuery): Promise<SuppressionEntry[]>;
  suppressionsByAddress(customerId: number, query: AddressQuery): Promise<SuppressionEntry[]>;
  suppression(customerId: number, list: SuppressionList, email: string): Promise<SuppressionEntry | null>;
  /**
   * Removes the addresses (or with 'all' the whole list) and every quarantined payload of the
   * customer that names a removed address, then clears the copies the database files may keep
   * (SQLite: secure_delete is on, and the WAL is checkpointed and truncated). Returns how many
   * list entries went.
   */
  deleteSuppressions(customerId: number, list: SuppressionList, emails: readonly string[] | 'all'): Promise<number>;
  /**
   * Lists an address by hand (v1 `method=unsubscribes&task=add`, customer_unsubscribes.md), with
   * `created` and the first time both `at` (unix seconds), no status or reason. False, changing
   * nothing, when the address is already on that list.
   */
  addSuppression(customerId: number, list: SuppressionList, email: string, at: number): Promise<boolean>;
  /**
   * Removes the customer and every row of every table that has a `customer_id` column, so its
   * username is free again; false when there is no such customer. As deleteSuppressions, no
   * copy is left in the SQLite files; PostgreSQL vacuums the tables it touched.
   */
  purgeCustomer(username: string): Promise<{ rows: Record<string, number> } | null>;
}

export interface Store extends SuppressionStore {
  readonly backend: 'sqlite' | 'postgres';
  /** `keyDigest`: the key's lookup digest (auth/keyDigest.ts); AlreadyExistsError when taken. */
  addReseller(apiUser: string, keySalt: Buffer, keyHash: Buffer, keyDigest?: Buffer): Promise<void>;
  findReseller(apiUser: string): Promise<Reseller | null>;
  /** The reseller whose key has this lookup digest (v3 Bearer authentication), or null. */
  findResellerByKeyDigest(keyDigest: Buffer): Promise<Reseller | null>;
  /** Records a reseller's key lookup digest; AlreadyExistsError when another reseller has it. */
  setResellerKeyDigest(resellerId: number, keyDigest: Buffer): Promise<void>;
  /** The reseller's customers (any order). */
  customersOf(resellerId: number): Promise<Customer[]>;
  /**
   * Replaces a reseller's key and its lookup digest in one statement, and ends its dashboard
   * sessions (session version bumped); false when there is no such reseller,
   * AlreadyExistsError when another reseller has that digest.
   */
  rotateKey(apiUser: string, keySalt: Buffer, keyHash: Buffer, keyDigest: Buffer): Promise<boolean>;
  /** Ends every dashboard session of the account: its session version goes up by one. */
  endSessions(account: SessionAccount): Promise<void>;
  addCustomer(username: string, resellerId: number, timezone: string): Promise<Customer>;
  findCustomer(username: string): Promise<Customer | null>;
  /** The customer with its own credentials and disabled flag (SPEC section 8), or null. */
  findCustomerAccount(username: string): Promise<CustomerAccount | null>;
  /** The customer whose own key has this lookup digest (v3 Bearer), or null. */
  findCustomerByKeyDigest(keyDigest: Buffer): Promise<CustomerAccount | null>;
  /**
   * Replaces a customer's own key and ends its dashboard sessions; false when no such customer,
   * AlreadyExistsError when another customer has the digest.
   */
  setCustomerKey(username: string, keySalt: Buffer, keyHash: Buffer, keyDigest: Buffer | null): Promise<boolean>;
  // Provisioning (migration 011, SPEC section 9). A deleted customer keeps its row (its username
  // stays reserved, its statistics stay until `customer purge`) but every other method here
  // treats it as absent: findCustomer, the account lookups, customersOf, the setters.
  /** Creates a customer with its key and profile in one transaction; AlreadyExistsError when the username is held (deleted ones too). */
  createCustomer(customer: NewCustomer): Promise<Customer>;
  /** The customer of that name even when deleted (for `customer purge`), or null. */
  findCustomerEvenDeleted(username: string): Promise<{ customer: Customer; deleted: boolean } | null>;
  /** Whether any customer, deleted ones included, holds this username (the one namespace). */
  customerNameHeld(username: string): Promise<boolean>;
  /** One page of the reseller's customers that are not deleted, by username. */
  listCustomers(resellerId: number, query: CustomerListQuery): Promise<CustomerRecord[]>;
  /** Marks the customer deleted and drops its credentials; false when absent or already deleted. */
  deleteCustomer(customerId: number, now: Date): Promise<boolean>;
  /** Sets the given profile fields (creating the profile when there is none). */
  updateProfile(customerId: number, fields: Partial<Record<ProfileField, string>>): Promise<void>;
  /**
   * Disables or enables a customer's credentials; disabling also ends its dashboard sessions
   * (enabling does not revive them). False when there is no such customer.
   */
  setCustomerDisabled(username: string, disabled: boolean): Promise<boolean>;
  /** Sets (or with null clears) a reseller's brand; false when there is no such reseller. */
  setResellerBrand(apiUser: string, brand: Brand | null): Promise<boolean>;
  /** The brand of the reseller with this id, or null (none set, or no such reseller). */
  resellerBrand(resellerId: number): Promise<Brand | null>;
  /** Sets (or with null clears) a customer's webhook key; false when there is no such customer. */
  setWebhookKey(username: string, pem: string | null): Promise<boolean>;
  /** The customer's signing key for a provider other than SendGrid (whose key is `webhookKey`), or null. */
  providerWebhookKey(customerId: number, provider: string): Promise<string | null>;
  /** Sets (or with null clears) a customer's key for a provider; false when there is no such customer. */
  setProviderWebhookKey(username: string, provider: string, key: string | null): Promise<boolean>;
  /**
   * Records a signed request's one-time token with its body hash: 'fresh' the first time (or
   * once the earlier sighting is older than the retention window), 'retry' when seen with the
   * same body, 'replay' when seen with another.
   */
  claimWebhookToken(customerId: number, provider: string, token: string, bodyHash: Buffer, now: Date): Promise<TokenClaim>;
  /**
   * One transaction: deduplicate by fingerprint, move first-open/click markers, bump rollups,
   * quarantine the rejected (once per payload and customer, cut to the size limit, the oldest
   * dropped beyond the customer's cap), and drop the quarantine rows `resolved` (events
   * re-applied from it). Resolves only once the batch is durably committed. Fingerprints and markers older
   * than the retention window count as absent, whether or not pruning has removed them yet.
   */
  applyBatch(
    customer: Customer,
    events: readonly NormalizedEvent[],
    rejected: readonly Rejection[],
    now: Date,
    resolved?: readonly number[],
  ): Promise<BatchResult>;
  /**
   * Deletes up to `limit` fingerprints and markers that arrived before `cutoff`, in a short
   * transaction of its own; returns how many went. Callers loop until it returns less than limit.
   */
  pruneExpired(cutoff: Date, limit: number): Promise<number>;
  /** Deletes up to `limit` quarantined events received before `cutoff`; returns how many went. */
  pruneQuarantine(cutoff: Date, limit: number): Promise<number>;
  /**
   * True when applyBatch runs off the caller's event loop (SQLite's writer thread): the chunks of
   * one large body may then be sent together, to be committed together.
   */
  readonly writesOffThread?: boolean;
  // The rollup reads take the metrics the caller will show (default: all). Materialising
  // columns nobody renders was most of a v1 stats call's cost; the others come back as 0.
  daily(customerId: number, range: DayRange, metrics?: readonly Metric[]): Promise<Map<number, MetricRow>>;
  /** category → day → row, for the given names only. */
  categoryDaily(customerId: number, categories: readonly string[], range: DayRange, metrics?: readonly Metric[]): Promise<Map<string, Map<number, MetricRow>>>;
  /** provider → day → row (all metrics): the split of `daily` by the provider the events came through. */
  providerDaily(customerId: number, range: DayRange): Promise<Map<string, Map<number, MetricRow>>>;
  /** Totals of every day up to `throughDay` (default: every day stored, future ones included). */
  aggregate(customerId: number, metrics?: readonly Metric[], throughDay?: number): Promise<MetricRow>;
  /** category → totals of every day up to `throughDay` (default: all), for the given names that have rollup rows. */
  categoryAggregate(customerId: number, categories: readonly string[], metrics?: readonly Metric[], throughDay?: number): Promise<Map<string, MetricRow>>;
  /** customer id → totals over the range, for the reseller's customers with rollup rows in it. */
  sumsByCustomer(resellerId: number, range: DayRange): Promise<Map<number, MetricRow>>;
  // The parent-account view (v3 without on-behalf-of): sums over every customer of a reseller,
  // grouped in SQL. Each customer's rows are its own local days, summed under the same date.
  /** day → totals over all the reseller's customers, for the days in the range that have rows. */
  resellerDaily(resellerId: number, range: DayRange): Promise<Map<number, MetricRow>>;
  /** category → day → totals over all the reseller's customers, for the given names only. */
  resellerCategoryDaily(resellerId: number, categories: readonly string[], range: DayRange): Promise<Map<string, Map<number, MetricRow>>>;
  /** Totals over all the reseller's customers of every day up to `throughDay`. */
  resellerAggregate(resellerId: number, throughDay: number): Promise<MetricRow>;
  /** category → totals over all the reseller's customers up to `throughDay`, for the names with rollup rows. */
  resellerCategoryAggregate(resellerId: number, names: readonly string[], throughDay: number): Promise<Map<string, MetricRow>>;
  /** The distinct category names of all the reseller's customers, in binary order, one page. */
  resellerCategories(resellerId: number, page: NamePage): Promise<string[]>;
  /** Which of `names` at least one of the reseller's customers has. */
  resellerKnownCategories(resellerId: number, names: readonly string[]): Promise<Set<string>>;
  /**
   * category → totals over the range, for the customer's categories with rollup rows in it
   * (only those of `names`, when given).
   */
  categorySums(customerId: number, range: DayRange, names?: readonly string[]): Promise<Map<string, MetricRow>>;
  /**
   * The customer's next `page.limit` categories in binary order after `page.after` (from the
   * first when null), each with its totals over the range (zeros when idle) of `metrics`
   * (default all; the others come back as 0).
   */
  categorySumsPage(customerId: number, range: DayRange, page: NamePage, metrics?: readonly Metric[]): Promise<Array<{ name: string; row: MetricRow }>>;
  /** The category names the customer has, in binary (code point) order: all, or one page. */
  categories(customerId: number, page?: NamePage): Promise<string[]>;
  /** Which of `names` the customer has. */
  knownCategories(customerId: number, names: readonly string[]): Promise<Set<string>>;
  /** The customer's quarantined events with id > afterId, oldest first. */
  quarantined(customerId: number, limit: number, afterId?: number): Promise<Quarantined[]>;
  /** The highest migration applied to the database (readiness: compared with the files). */
  schemaVersion(): Promise<number>;
  /** The read cache's use, for /metrics; absent where reads are not cached (PostgreSQL). */
  readCacheStats?(): ReadCacheStats;
  /** SQLite's writer thread: batches committed and the (group) commits that held them. */
  writerStats?(): { batches: number; commits: number };
  /** Rendered stats answers, held in the read cache under its invalidation (SQLite with a read cache only). */
  answers?: AnswerCache;
  /** The connection pool's use, for /metrics; absent where there is no pool (SQLite). */
  poolStats?(): PoolStats;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** How long deduplication and first-seen markers are honoured (SPEC section 5). */
  retentionMs: number;
  /** Bytes the SQLite read cache may hold (MAILTALLY_READ_CACHE_MB); 0 turns it off. */
  readCacheBytes?: number;
  /** Quarantine bounds; DEFAULT_QUARANTINE_LIMITS when absent. */
  quarantine?: QuarantineLimits;
  /**
   * SQLite: apply batches and prune on a writer thread, off the event loop, several batches per
   * commit (the server and `events import`; MAILTALLY_WRITER_THREAD=0 turns it off).
   */
  writerThread?: boolean;
}

/** Later than any day a timestamp can fall on (9999-12-31 is day 2,932,896); fits INTEGER. */
export const LAST_DAY = 2_147_483_647;

export const DEFAULT_READ_CACHE_BYTES = 64 * 1024 * 1024;

/** The account methods both backends keep apart from the rest (accountsSqlite.ts, accountsPostgres.ts). */
export type AccountStore = Pick<
  Store,
  | 'findCustomerAccount'
  | 'findCustomerByKeyDigest'
  | 'setCustomerKey'
  | 'setCustomerDisabled'
  | 'setResellerBrand'
  | 'resellerBrand'
  | 'resellerAggregate'
  | 'resellerCategoryAggregate'
  | 'resellerCategories'
>;
