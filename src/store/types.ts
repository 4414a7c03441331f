// The one storage interface both backends implement; `store` knows nothing of HTTP or the CLI.
import type { NormalizedEvent } from '../domain/events.js';
import type { Metric, MetricRow } from '../domain/metrics.js';
import type { QuarantineLimits } from '../domain/quarantineRows.js';
import type { DayRange } from '../domain/ranges.js';

export interface Reseller {
  id: number;
  apiUser: string;
  keySalt: Buffer;
  keyHash: Buffer;
  /** The key's lookup digest (auth/keyDigest.ts); null until first filled in. */
  keyDigest: Buffer | null;
}

export interface Customer {
  id: number;
  username: string;
  resellerId: number;
  timezone: string;
  /** Event Webhook verification key (PEM); when set, every webhook request must be signed. */
  webhookKey: string | null;
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

export interface Store {
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
   * Replaces a reseller's key and its lookup digest in one statement; false when there is no
   * such reseller, AlreadyExistsError when another reseller has that digest.
   */
  rotateKey(apiUser: string, keySalt: Buffer, keyHash: Buffer, keyDigest: Buffer): Promise<boolean>;
  addCustomer(username: string, resellerId: number, timezone: string): Promise<Customer>;
  findCustomer(username: string): Promise<Customer | null>;
  /** Sets (or with null clears) a customer's webhook key; false when there is no such customer. */
  setWebhookKey(username: string, pem: string | null): Promise<boolean>;
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
  // The rollup reads take the metrics the caller will show (default: all). Materialising
  // columns nobody renders was most of a v1 stats call's cost; the others come back as 0.
  daily(customerId: number, range: DayRange, metrics?: readonly Metric[]): Promise<Map<number, MetricRow>>;
  /** category → day → row, for the given names only. */
  categoryDaily(customerId: number, categories: readonly string[], range: DayRange, metrics?: readonly Metric[]): Promise<Map<string, Map<number, MetricRow>>>;
  aggregate(customerId: number, metrics?: readonly Metric[]): Promise<MetricRow>;
  /** customer id → totals over the range, for the reseller's customers with rollup rows in it. */
  sumsByCustomer(resellerId: number, range: DayRange): Promise<Map<number, MetricRow>>;
  /** category → totals over the range, for the customer's categories with rollup rows in it. */
  categorySums(customerId: number, range: DayRange): Promise<Map<string, MetricRow>>;
  /** All category names the customer has, in binary (code point) order. */
  categories(customerId: number): Promise<string[]>;
  /** Which of `names` the customer has. */
  knownCategories(customerId: number, names: readonly string[]): Promise<Set<string>>;
  /** The customer's quarantined events with id > afterId, oldest first. */
  quarantined(customerId: number, limit: number, afterId?: number): Promise<Quarantined[]>;
  /** The highest migration applied to the database (readiness: compared with the files). */
  schemaVersion(): Promise<number>;
  /** The connection pool's use, for /metrics; absent where there is no pool (SQLite). */
  poolStats?(): PoolStats;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** How long deduplication and first-seen markers are honoured (SPEC section 5). */
  retentionMs: number;
  /** Quarantine bounds; DEFAULT_QUARANTINE_LIMITS when absent. */
  quarantine?: QuarantineLimits;
}
