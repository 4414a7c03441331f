// The embedded backend's ingest writes: applying a batch and pruning what has expired. Shared by
// the store's own connection (CLI commands, tests) and the writer thread (sqliteWriterThread.ts),
// which runs them off the event loop and commits several batches at once.
import type Database from 'better-sqlite3';
import { type Marker, markerKey, planBatch } from '../domain/batch.js';
import type { NormalizedEvent } from '../domain/events.js';
import { METRICS } from '../domain/metrics.js';
import { DEFAULT_QUARANTINE_LIMITS, type QuarantineLimits, quarantineRows } from '../domain/quarantineRows.js';
import { METRIC_COLUMNS, incrementAll } from './sql.js';
import { SQLITE_UPSERT_SUPPRESSION } from './suppressionsSqlite.js';
import type { BatchResult, Customer, Rejection } from './types.js';

const COLS = METRIC_COLUMNS;
const PLACEHOLDERS = METRICS.map(() => '?').join(', ');

export interface WriteOptions {
  retentionMs: number;
  quarantine?: QuarantineLimits | undefined;
}

/** What a batch needs of its customer (a plain object: it crosses to the writer thread). */
export type BatchCustomer = Pick<Customer, 'id'>;

export interface SqliteWrites {
  /** One batch, in its own transaction — or in a savepoint when called inside another's. */
  apply(customer: BatchCustomer, events: readonly NormalizedEvent[], rejected: readonly Rejection[], nowMs: number, resolved: readonly number[]): BatchResult;
  pruneExpired(cutoffMs: number, limit: number): number;
  pruneQuarantine(cutoffMs: number, limit: number): number;
}

export function sqliteWrites(db: Database.Database, options: WriteOptions): SqliteWrites {
  const q = {
    // An expired fingerprint is taken over as if absent: the event counts as new (changes = 1).
    insertFingerprint: db.prepare(
      `INSERT INTO event_fingerprints (customer_id, fingerprint, received_at) VALUES (?, ?, ?)
       ON CONFLICT (customer_id, fingerprint) DO UPDATE SET received_at = excluded.received_at
       WHERE event_fingerprints.received_at < ?`,
    ),
    getMarker: db.prepare('SELECT ts, day, categories, received_at FROM first_seen WHERE customer_id = ? AND kind = ? AND message = ?'),
    putMarker: db.prepare(
      `INSERT INTO first_seen (customer_id, kind, message, ts, day, categories, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (customer_id, kind, message) DO UPDATE SET ts = excluded.ts, day = excluded.day,
         categories = excluded.categories, received_at = excluded.received_at`,
    ),
    bumpDaily: db.prepare(
      `INSERT INTO daily_stats (customer_id, day, ${COLS}) VALUES (?, ?, ${PLACEHOLDERS})
       ON CONFLICT (customer_id, day) DO UPDATE SET ${incrementAll('daily_stats')}`,
    ),
    bumpCategory: db.prepare(
      `INSERT INTO category_daily_stats (customer_id, category, day, ${COLS}) VALUES (?, ?, ?, ${PLACEHOLDERS})
       ON CONFLICT (customer_id, category, day) DO UPDATE SET ${incrementAll('category_daily_stats')}`,
    ),
    bumpProvider: db.prepare(
      `INSERT INTO provider_daily_stats (customer_id, day, provider, ${COLS}) VALUES (?, ?, ?, ${PLACEHOLDERS})
       ON CONFLICT (customer_id, day, provider) DO UPDATE SET ${incrementAll('provider_daily_stats')}`,
    ),
    upsertSuppression: db.prepare(SQLITE_UPSERT_SUPPRESSION),
    addCategory: db.prepare('INSERT INTO customer_categories (customer_id, category) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    quarantine: db.prepare(
      `INSERT INTO quarantine (customer_id, received_at, batch_index, reason, payload, payload_hash) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (customer_id, payload_hash) DO NOTHING`,
    ),
    // Everything older than the newest `cap` rows of the customer (the id order is arrival order).
    trimQuarantine: db.prepare(
      `DELETE FROM quarantine WHERE customer_id = ? AND id <=
         (SELECT id FROM quarantine WHERE customer_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    ),
    pruneQuarantine: db.prepare(
      `DELETE FROM quarantine WHERE customer_id = ? AND id IN
         (SELECT id FROM quarantine WHERE customer_id = ? AND received_at < ? LIMIT ?)`,
    ),
    unquarantine: db.prepare('DELETE FROM quarantine WHERE customer_id = ? AND id = ?'),
    customerIds: db.prepare('SELECT id FROM customers ORDER BY id'),
    pruneFingerprints: db.prepare(
      `DELETE FROM event_fingerprints WHERE customer_id = ? AND fingerprint IN
         (SELECT fingerprint FROM event_fingerprints WHERE customer_id = ? AND received_at < ? LIMIT ?)`,
    ),
    pruneMarkers: db.prepare(
      `DELETE FROM first_seen WHERE customer_id = ? AND (kind, message) IN
         (SELECT kind, message FROM first_seen WHERE customer_id = ? AND received_at < ? LIMIT ?)`,
    ),
  };

  const limits = options.quarantine ?? DEFAULT_QUARANTINE_LIMITS;
  const apply = db.transaction((customer: BatchCustomer, events: readonly NormalizedEvent[], rejected: readonly Rejection[], nowMs: number, resolved: readonly number[]): BatchResult => {
    const cid = customer.id;
    const liveSince = nowMs - options.retentionMs;
    const fresh = events.filter((e) => q.insertFingerprint.run(cid, e.fingerprint, nowMs, liveSince).changes === 1);

    const markers = new Map<string, Marker>();
    for (const e of fresh) {
      if (!e.unique) continue;
      const key = markerKey(e.unique.kind, e.unique.message);
      if (markers.has(key)) continue;
      const row = q.getMarker.get(cid, e.unique.kind, e.unique.message) as
        | { ts: number; day: number; categories: string; received_at: number }
        | undefined;
      // An expired marker is ignored, so the message counts as unique again (SPEC section 5).
      if (row && row.received_at >= liveSince) markers.set(key, { timestamp: row.ts, day: row.day, categories: JSON.parse(row.categories) as string[] });
    }

    const plan = planBatch(fresh, markers);
    for (const [key, m] of plan.markers) {
      const [kind, hex] = key.split(':') as [string, string];
      q.putMarker.run(cid, kind, Buffer.from(hex, 'hex'), m.timestamp, m.day, JSON.stringify(m.categories), nowMs);
    }
    for (const [day, row] of plan.tally.daily) q.bumpDaily.run(cid, day, ...METRICS.map((m) => row[m]));
    for (const [category, days] of plan.tally.byCategory) {
      for (const [day, row] of days) q.bumpCategory.run(cid, category, day, ...METRICS.map((m) => row[m]));
    }
    for (const [provider, days] of plan.tally.byProvider) {
      for (const [day, row] of days) q.bumpProvider.run(cid, day, provider, ...METRICS.map((m) => row[m]));
    }
    for (const c of plan.categories) q.addCategory.run(cid, c);
    for (const r of plan.suppressions.values()) q.upsertSuppression.run(cid, r.list, r.email, r.status, r.reason, r.firstAdded, r.created);
    let quarantined = 0;
    for (const r of quarantineRows(rejected, limits)) quarantined += q.quarantine.run(cid, nowMs, r.index, r.reason, r.payload, r.digest).changes;
    if (quarantined > 0) q.trimQuarantine.run(cid, cid, limits.maxPerCustomer);
    for (const id of resolved) q.unquarantine.run(cid, id);
    return { accepted: fresh.length, duplicates: events.length - fresh.length };
  });

  return {
    // IMMEDIATE: take the write lock at the start, so a concurrent writer waits (busy_timeout)
    // rather than failing half-way. Inside an outer transaction this becomes a savepoint.
    apply: (customer, events, rejected, nowMs, resolved) => (db.inTransaction ? apply(customer, events, rejected, nowMs, resolved) : apply.immediate(customer, events, rejected, nowMs, resolved)),
    pruneExpired: (cutoffMs, limit) => {
      // Short transactions, one customer at a time, so ingest is never held up for long.
      let deleted = 0;
      for (const { id } of q.customerIds.all() as Array<{ id: number }>) {
        if (deleted >= limit) break;
        const room = limit - deleted;
        deleted += db.transaction(() => {
          const f = q.pruneFingerprints.run(id, id, cutoffMs, room).changes;
          return f + q.pruneMarkers.run(id, id, cutoffMs, Math.max(room - f, 0)).changes;
        }).immediate();
      }
      return deleted;
    },
    pruneQuarantine: (cutoffMs, limit) => {
      let deleted = 0;
      for (const { id } of q.customerIds.all() as Array<{ id: number }>) {
        if (deleted >= limit) break;
        deleted += q.pruneQuarantine.run(id, id, cutoffMs, limit - deleted).changes;
      }
      return deleted;
    },
  };
}
