// One app's Prometheus metrics, in a registry of its own so several apps in one process (tests)
// never clash. Route labels are route patterns (`/api/*`, `/webhooks/events`), never raw URLs:
// legacy URLs carry api_key in the query string, and raw URLs would make unbounded series.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReadCacheStats } from '../store/readCache.js';
import type { PoolStats, Store } from '../store/types.js';
import { processRegistry } from './processMetrics.js';

/** What one webhook batch did; the route reports it after the batch is committed. */
export interface BatchOutcome {
  accepted: number;
  duplicates: number;
  rejected: number;
}

const HTTP_LABELS = ['method', 'route', 'status_code'] as const;
// Stats calls answer in milliseconds; a large batch on a busy PostgreSQL may take seconds.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// SendGrid posts up to a few thousand events per batch; `events import` sends 1,000.
const BATCH_BUCKETS = [0, 1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 50000];

export class AppMetrics {
  readonly registry = new Registry();
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;
  private readonly requests = new Counter({
    name: 'mailtally_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status code.',
    labelNames: HTTP_LABELS,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'mailtally_http_request_duration_seconds',
    help: 'Time from receiving a request to finishing its answer, by route pattern and status code.',
    labelNames: HTTP_LABELS,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly events = new Counter({
    name: 'mailtally_events_total',
    help: 'Webhook events by outcome: accepted (applied), duplicate (already applied), rejected (quarantined).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly batchSize = new Histogram({
    name: 'mailtally_webhook_batch_size',
    help: 'Events per webhook batch that reached ingest.',
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });

  constructor(store: Store) {
    // Every outcome is shown from the start, so a dashboard's rate() has a zero to begin from.
    for (const outcome of ['accepted', 'duplicate', 'rejected']) this.events.inc({ outcome }, 0);
    if (store.poolStats) this.registerPool(() => store.poolStats?.());
    if (store.readCacheStats) this.registerReadCache(() => store.readCacheStats?.());
    if (store.writerStats) this.registerWriter(() => store.writerStats?.());
  }

  /** SQLite's writer thread: how many batches each commit (one fsync) carried, on average. */
  private registerWriter(read: () => { batches: number; commits: number } | undefined): void {
    this.scrapedCounters(read, [
      ['batches', 'mailtally_writer_batches_total', 'Batches committed by the SQLite writer thread.'],
      ['commits', 'mailtally_writer_commits_total', 'Commits (one fsync each) of the SQLite writer thread; batches arriving together share one.'],
    ]);
  }

  /** Counters whose totals are kept elsewhere (a store's stats), copied in at scrape time. */
  private scrapedCounters<T extends object>(read: () => T | undefined, counters: ReadonlyArray<[keyof T, string, string]>): void {
    for (const [key, name, help] of counters) {
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          const stats = read();
          if (!stats) return;
          this.reset();
          this.inc(Number(stats[key] ?? 0));
        },
      });
    }
  }

  /** The read cache of rollups (both backends), read at scrape time. */
  private registerReadCache(read: () => ReadCacheStats | undefined): void {
    const counters: Array<[keyof ReadCacheStats, string, string]> = [
      ['hits', 'mailtally_read_cache_hits_total', 'Rollup reads answered from the read cache.'],
      ['misses', 'mailtally_read_cache_misses_total', 'Rollup reads that went to the database.'],
      ['evictions', 'mailtally_read_cache_evictions_total', 'Entries dropped, least recently used first, to stay within MAILTALLY_READ_CACHE_MB.'],
      ['accountHits', 'mailtally_account_memo_hits_total', 'Reseller/customer lookups answered from memory.'],
      ['accountMisses', 'mailtally_account_memo_misses_total', 'Reseller/customer lookups that read the database (first use, or after a change).'],
    ];
    this.scrapedCounters(read, counters);
    const gauges: Array<[keyof ReadCacheStats, string, string]> = [
      ['bytes', 'mailtally_read_cache_bytes', 'Estimated bytes the read cache holds; never above its budget.'],
      ['budget', 'mailtally_read_cache_budget_bytes', 'The most bytes the read cache may hold (MAILTALLY_READ_CACHE_MB).'],
      ['entries', 'mailtally_read_cache_entries', 'Entries the read cache holds.'],
    ];
    for (const [key, name, help] of gauges) {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const stats = read();
          if (stats) this.set(stats[key] ?? 0);
        },
      });
    }
  }

  /** PostgreSQL's pool, read at scrape time; SQLite has no pool and reports none. */
  private registerPool(read: () => PoolStats | undefined): void {
    const gauges: Array<[keyof PoolStats, string, string]> = [
      ['total', 'mailtally_db_pool_connections', 'Connections the pool holds open (idle or checked out).'],
      ['idle', 'mailtally_db_pool_idle_connections', 'Open connections not checked out.'],
      ['waiting', 'mailtally_db_pool_waiting_requests', 'Requests queued for a connection because all are checked out.'],
      ['max', 'mailtally_db_pool_max_connections', 'The most connections the pool may open (MAILTALLY_PG_POOL_SIZE).'],
    ];
    for (const [key, name, help] of gauges) {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const stats = read();
          if (stats) this.set(stats[key] ?? 0);
        },
      });
    }
  }

  /** The key check gate's load (auth/keyCheckGate.ts), read at scrape time. */
  registerKeyChecks(read: () => { running: number; waiting: number }): void {
    for (const [key, name, help] of [
      ['running', 'mailtally_key_checks_running', 'Uncached key checks (scrypt) hashing now (at most MAILTALLY_KEY_CHECKS).'],
      ['waiting', 'mailtally_key_checks_waiting', 'Uncached key checks queued for a slot (at most MAILTALLY_KEY_CHECK_QUEUE).'],
    ] as const) {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read()[key]);
        },
      });
    }
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const labels = { method, route, status_code: String(statusCode) };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }

  observeBatch(size: number, outcome: BatchOutcome): void {
    this.batchSize.observe(size);
    this.events.inc({ outcome: 'accepted' }, outcome.accepted);
    this.events.inc({ outcome: 'duplicate' }, outcome.duplicates);
    this.events.inc({ outcome: 'rejected' }, outcome.rejected);
  }

  /** This app's metrics followed by the process's, in Prometheus text format. */
  async text(): Promise<string> {
    return Registry.merge([this.registry, processRegistry()]).metrics();
  }
}
