// The one storage interface both backends implement; `store` knows nothing of HTTP or the CLI.
import type { NormalizedEvent } from '../domain/events.js';
import type { MetricRow } from '../domain/metrics.js';
import type { DayRange } from '../domain/ranges.js';

export interface Reseller {
  id: number;
  apiUser: string;
  keySalt: Buffer;
  keyHash: Buffer;
}

export interface Customer {
  id: number;
  username: string;
  resellerId: number;
  timezone: string;
}

/** An event that failed validation, kept in quarantine with its reason. */
export interface Rejection {
  index: number;
  error: string;
  /** The event as received (JSON text, or the raw line when it was not JSON). */
  payload: string;
}

export interface Quarantined {
  index: number;
  error: string;
  payload: string;
  receivedAt: Date;
}

export interface BatchResult {
  accepted: number;
  duplicates: number;
}

export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  addReseller(apiUser: string, keySalt: Buffer, keyHash: Buffer): Promise<void>;
  findReseller(apiUser: string): Promise<Reseller | null>;
  addCustomer(username: string, resellerId: number, timezone: string): Promise<Customer>;
  findCustomer(username: string): Promise<Customer | null>;
  /**
   * One transaction: deduplicate by fingerprint, move first-open/click markers, bump rollups,
   * quarantine the rejected. Resolves only once the batch is durably committed.
   */
  applyBatch(customer: Customer, events: readonly NormalizedEvent[], rejected: readonly Rejection[], now: Date): Promise<BatchResult>;
  daily(customerId: number, range: DayRange): Promise<Map<number, MetricRow>>;
  /** category → day → row, for the given names only. */
  categoryDaily(customerId: number, categories: readonly string[], range: DayRange): Promise<Map<string, Map<number, MetricRow>>>;
  aggregate(customerId: number): Promise<MetricRow>;
  /** All category names the customer has, in binary (code point) order. */
  categories(customerId: number): Promise<string[]>;
  /** Which of `names` the customer has. */
  knownCategories(customerId: number, names: readonly string[]): Promise<Set<string>>;
  /** The customer's quarantined events, oldest first. */
  quarantined(customerId: number, limit: number): Promise<Quarantined[]>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** How long deduplication and first-seen markers are honoured (SPEC section 5). */
  retentionMs: number;
}
