// The embedded backend: one SQLite file in WAL mode. better-sqlite3 is synchronous, so a batch
// is one IMMEDIATE transaction run to completion; synchronous=FULL makes the commit durable
// (fsync) before applyBatch resolves, which is what lets the webhook answer 200.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type Marker, markerKey, planBatch } from '../domain/batch.js';
import { AlreadyExistsError, StorageUnavailableError } from '../domain/errors.js';
import type { NormalizedEvent } from '../domain/events.js';
import { METRICS, type MetricRow, zeroMetrics } from '../domain/metrics.js';
import type { DayRange } from '../domain/ranges.js';
import { METRIC_COLUMNS, SUM_ALL, incrementAll } from './sql.js';
import { migrateSqlite } from './migrations.js';
import type { BatchResult, Customer, Rejection, Reseller, Store, StoreOptions } from './types.js';

const COLS = METRIC_COLUMNS;
const PLACEHOLDERS = METRICS.map(() => '?').join(', ');

// Codes that mean "the database, not the request, is the problem": the client should retry.
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|PROTOCOL|NOMEM)/;

function translated(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_CONSTRAINT')) return new AlreadyExistsError((err as Error).message);
    if (UNAVAILABLE.test(code)) return new StorageUnavailableError(code);
  }
  return err;
}

function guard<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(translated(err));
  }
}

function toRow(r: Record<string, unknown>): MetricRow {
  const row = zeroMetrics();
  for (const m of METRICS) row[m] = Number(r[m]);
  return row;
}

// IN-lists are bound parameter by parameter; SQLite allows 32766 per statement, and requests
// are capped far below that (100 categories), so one statement per call is always enough.
const inList = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

export function openSqlite(path: string, options: StoreOptions): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrateSqlite(db);
  } catch (err) {
    throw translated(err);
  }

  const q = {
    addReseller: db.prepare('INSERT INTO resellers (api_user, key_salt, key_hash, created_at) VALUES (?, ?, ?, ?)'),
    findReseller: db.prepare('SELECT id, api_user, key_salt, key_hash FROM resellers WHERE api_user = ?'),
    addCustomer: db.prepare('INSERT INTO customers (username, reseller_id, timezone, created_at) VALUES (?, ?, ?, ?)'),
    findCustomer: db.prepare('SELECT id, username, reseller_id, timezone FROM customers WHERE username = ?'),
    insertFingerprint: db.prepare('INSERT INTO event_fingerprints (customer_id, fingerprint, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
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
    addCategory: db.prepare('INSERT INTO customer_categories (customer_id, category) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    quarantine: db.prepare('INSERT INTO quarantine (customer_id, received_at, batch_index, reason, payload) VALUES (?, ?, ?, ?, ?)'),
    daily: db.prepare(`SELECT day, ${COLS} FROM daily_stats WHERE customer_id = ? AND day BETWEEN ? AND ?`),
    aggregate: db.prepare(`SELECT ${SUM_ALL} FROM daily_stats WHERE customer_id = ?`),
    categories: db.prepare('SELECT category FROM customer_categories WHERE customer_id = ? ORDER BY category'),
    quarantined: db.prepare('SELECT batch_index, reason, payload, received_at FROM quarantine WHERE customer_id = ? ORDER BY id LIMIT ?'),
  };

  const apply = db.transaction((customer: Customer, events: readonly NormalizedEvent[], rejected: readonly Rejection[], nowMs: number): BatchResult => {
    const cid = customer.id;
    const fresh = events.filter((e) => q.insertFingerprint.run(cid, e.fingerprint, nowMs).changes === 1);

    const markers = new Map<string, Marker>();
    const liveSince = nowMs - options.retentionMs;
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
    for (const c of plan.categories) q.addCategory.run(cid, c);
    for (const r of rejected) q.quarantine.run(cid, nowMs, r.index, r.error, r.payload);
    return { accepted: fresh.length, duplicates: events.length - fresh.length };
  });

  return {
    backend: 'sqlite',
    addReseller: (apiUser, salt, hash) => guard(() => void q.addReseller.run(apiUser, salt, hash, Date.now())),
    findReseller: (apiUser) =>
      guard(() => {
        const r = q.findReseller.get(apiUser) as { id: number; api_user: string; key_salt: Buffer; key_hash: Buffer } | undefined;
        return r ? ({ id: r.id, apiUser: r.api_user, keySalt: r.key_salt, keyHash: r.key_hash } satisfies Reseller) : null;
      }),
    addCustomer: (username, resellerId, timezone) =>
      guard(() => {
        const info = q.addCustomer.run(username, resellerId, timezone, Date.now());
        return { id: Number(info.lastInsertRowid), username, resellerId, timezone };
      }),
    findCustomer: (username) =>
      guard(() => {
        const r = q.findCustomer.get(username) as { id: number; username: string; reseller_id: number; timezone: string } | undefined;
        return r ? { id: r.id, username: r.username, resellerId: r.reseller_id, timezone: r.timezone } : null;
      }),
    applyBatch: (customer, events, rejected, now) => guard(() => apply.immediate(customer, events, rejected, now.getTime())),
    daily: (customerId, range: DayRange) =>
      guard(() => {
        const out = new Map<number, MetricRow>();
        for (const r of q.daily.all(customerId, range.from, range.to) as Array<Record<string, unknown>>) out.set(Number(r.day), toRow(r));
        return out;
      }),
    categoryDaily: (customerId, categories, range) =>
      guard(() => {
        const out = new Map<string, Map<number, MetricRow>>();
        if (categories.length === 0) return out;
        const rows = db
          .prepare(`SELECT category, day, ${COLS} FROM category_daily_stats WHERE customer_id = ? AND category IN (${inList(categories.length)}) AND day BETWEEN ? AND ?`)
          .all(customerId, ...categories, range.from, range.to) as Array<Record<string, unknown>>;
        for (const r of rows) {
          const category = String(r.category);
          let days = out.get(category);
          if (!days) out.set(category, (days = new Map()));
          days.set(Number(r.day), toRow(r));
        }
        return out;
      }),
    aggregate: (customerId) => guard(() => toRow(q.aggregate.get(customerId) as Record<string, unknown>)),
    categories: (customerId) => guard(() => (q.categories.all(customerId) as Array<{ category: string }>).map((r) => r.category)),
    knownCategories: (customerId, names) =>
      guard(() => {
        if (names.length === 0) return new Set<string>();
        const rows = db
          .prepare(`SELECT category FROM customer_categories WHERE customer_id = ? AND category IN (${inList(names.length)})`)
          .all(customerId, ...names) as Array<{ category: string }>;
        return new Set(rows.map((r) => r.category));
      }),
    quarantined: (customerId, limit) =>
      guard(() =>
        (q.quarantined.all(customerId, limit) as Array<{ batch_index: number; reason: string; payload: string; received_at: number }>).map((r) => ({
          index: r.batch_index,
          error: r.reason,
          payload: r.payload,
          receivedAt: new Date(r.received_at),
        })),
      ),
    close: () => guard(() => void db.close()),
  };
}
