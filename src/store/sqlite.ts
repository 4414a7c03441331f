// The embedded backend: one SQLite file in WAL mode. better-sqlite3 is synchronous, so a batch
// is one IMMEDIATE transaction run to completion — on the writer thread (sqliteWriter.ts) for
// the server and imports, else on this connection; synchronous=FULL makes the commit durable
// (fsync) before applyBatch resolves, which is what lets the webhook answer 200.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { type Metric, type MetricRow } from '../domain/metrics.js';
import type { DayRange } from '../domain/ranges.js';
import { METRIC_COLUMNS as COLS, SUM_ALL, byNameAndDay, metricList, sums, toRow } from './sql.js';
import { SCHEMA_VERSION_SQL, migrateSqlite } from './migrations.js';
import { ReadCache, categoryRowsBytes, nameSetBytes } from './readCache.js';
import { Series } from './series.js';
import { AnswerCache } from './answerCache.js';
import { AccountMemo, withAccountMemo } from './accountMemo.js';
import { DEFAULT_READ_CACHE_BYTES, LAST_DAY, type Reseller, type Store, type StoreOptions } from './types.js';
import { sqliteProviderState } from './providerStateSqlite.js';
import { sqliteAccounts } from './accountsSqlite.js';
import { sqliteProvisioning } from './provisioningSqlite.js';
import { sqliteSuppressions } from './suppressionsSqlite.js';
import { guard, translated } from './sqliteErrors.js';
import { openSqliteConnection } from './sqliteConnection.js';
import { sqliteWrites } from './sqliteWrites.js';
import { SqliteWriter } from './sqliteWriter.js';
import { SqliteChanges } from './sqliteChanges.js';

interface ResellerRow {
  id: number;
  api_user: string;
  key_salt: Buffer;
  key_hash: Buffer;
  key_digest: Buffer | null;
  session_version: number;
}

const toReseller = (r: ResellerRow | undefined): Reseller | null =>
  r ? { id: r.id, apiUser: r.api_user, keySalt: r.key_salt, keyHash: r.key_hash, keyDigest: r.key_digest, sessionVersion: Number(r.session_version) } : null;


// IN-lists are bound parameter by parameter; SQLite allows 32766 per statement, and requests
// are capped far below that (100 categories), so one statement per call is always enough.
const inList = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** One page of a customer's categories with their totals over a range, idle ones as zeros. */
const categorySumsPageSql = (after: '>' | '>=', metrics: readonly Metric[] | undefined): string =>
  `SELECT p.category, ${sums(metricList(metrics))}
   FROM (SELECT category FROM customer_categories WHERE customer_id = ? AND category ${after} ? ORDER BY category LIMIT ?) p
   LEFT JOIN category_daily_stats s ON s.customer_id = ? AND s.category = p.category AND s.day BETWEEN ? AND ?
   GROUP BY p.category ORDER BY p.category`;

export function openSqlite(path: string, options: StoreOptions): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = openSqliteConnection(path);
    migrateSqlite(db);
  } catch (err) {
    throw translated(err);
  }

  const q = {
    addReseller: db.prepare('INSERT INTO resellers (api_user, key_salt, key_hash, key_digest, created_at) VALUES (?, ?, ?, ?, ?)'),
    findReseller: db.prepare('SELECT id, api_user, key_salt, key_hash, key_digest, session_version FROM resellers WHERE api_user = ?'),
    findResellerByKeyDigest: db.prepare('SELECT id, api_user, key_salt, key_hash, key_digest, session_version FROM resellers WHERE key_digest = ?'),
    setResellerKeyDigest: db.prepare('UPDATE resellers SET key_digest = ? WHERE id = ?'),
    customersOf: db.prepare('SELECT id, username, reseller_id, timezone, webhook_key FROM customers WHERE reseller_id = ? AND deleted_at IS NULL'),
    sumsByCustomer: db.prepare(
      `SELECT d.customer_id, ${SUM_ALL} FROM daily_stats d JOIN customers c ON c.id = d.customer_id
       WHERE c.reseller_id = ? AND d.day BETWEEN ? AND ? GROUP BY d.customer_id`,
    ),
    resellerDaily: db.prepare(
      `SELECT day, ${SUM_ALL} FROM daily_stats
       WHERE customer_id IN (SELECT id FROM customers WHERE reseller_id = ?) AND day BETWEEN ? AND ? GROUP BY day`,
    ),
    categorySums: db.prepare(`SELECT category, ${SUM_ALL} FROM category_daily_stats WHERE customer_id = ? AND day BETWEEN ? AND ? GROUP BY category`),
    addCustomer: db.prepare('INSERT INTO customers (username, reseller_id, timezone, created_at) VALUES (?, ?, ?, ?)'),
    rotateKey: db.prepare('UPDATE resellers SET key_salt = ?, key_hash = ?, key_digest = ?, session_version = session_version + 1 WHERE api_user = ?'),
    endResellerSessions: db.prepare('UPDATE resellers SET session_version = session_version + 1 WHERE id = ?'),
    endCustomerSessions: db.prepare('UPDATE customers SET session_version = session_version + 1 WHERE id = ?'),
    findCustomer: db.prepare('SELECT id, username, reseller_id, timezone, webhook_key FROM customers WHERE username = ? AND deleted_at IS NULL'),
    setWebhookKey: db.prepare('UPDATE customers SET webhook_key = ? WHERE username = ? AND deleted_at IS NULL'),
    providerDaily: db.prepare(`SELECT provider, day, ${COLS} FROM provider_daily_stats WHERE customer_id = ? AND day BETWEEN ? AND ?`),
    categories: db.prepare('SELECT category FROM customer_categories WHERE customer_id = ? ORDER BY category'),
    // `>= ''` is every name (the empty one included); `> ?` the names after a page.
    categoriesFrom: db.prepare('SELECT category FROM customer_categories WHERE customer_id = ? AND category >= ? ORDER BY category LIMIT ?'),
    categoriesAfter: db.prepare('SELECT category FROM customer_categories WHERE customer_id = ? AND category > ? ORDER BY category LIMIT ?'),
    quarantined: db.prepare('SELECT id, batch_index, reason, payload, received_at FROM quarantine WHERE customer_id = ? AND id > ? ORDER BY id LIMIT ?'),
    schemaVersion: db.prepare(SCHEMA_VERSION_SQL),
  };

  const changes = new SqliteChanges(db);
  const cache = new ReadCache(() => changes.poll(), options.readCacheBytes ?? DEFAULT_READ_CACHE_BYTES);
  const memo = new AccountMemo(() => changes.poll());
  changes.listen({
    rollups: (ids) => {
      for (const id of ids) cache.forget(id);
    },
    accounts: () => {
      memo.forget();
      cache.clear();
    },
  });

  // Rollups answered from per-customer series (series.ts) held in the read cache; with the cache
  // off (budget 0) each call reads just its range from SQLite instead, as before.
  const seriesOn = (options.readCacheBytes ?? DEFAULT_READ_CACHE_BYTES) > 0;
  // Raw mode: rows as arrays [day, ...metrics], cheaper to make than objects.
  const seriesSql = new Map<string, { daily: Database.Statement; category: Database.Statement }>();
  const seriesStatements = (list: readonly Metric[]): { daily: Database.Statement; category: Database.Statement } => {
    const key = list.join(',');
    let stmts = seriesSql.get(key);
    if (!stmts) {
      const cols = list.join(', ');
      stmts = {
        daily: db.prepare(`SELECT day, ${cols} FROM daily_stats WHERE customer_id = ? ORDER BY day`).raw(),
        category: db.prepare(`SELECT day, ${cols} FROM category_daily_stats WHERE customer_id = ? AND category = ? ORDER BY day`).raw(),
      };
      if (seriesSql.size < 100) seriesSql.set(key, stmts);
    }
    return stmts;
  };
  // By list length, at most MAX_CATEGORIES (100) of them: preparing is most of a small lookup.
  const knownStatements = new Map<number, Database.Statement>();
  const knownCategories = (customerId: number, names: readonly string[]): Set<string> => {
    let stmt = knownStatements.get(names.length);
    if (!stmt) {
      stmt = db.prepare(`SELECT category FROM customer_categories WHERE customer_id = ? AND category IN (${inList(names.length)})`).pluck();
      if (knownStatements.size < 200) knownStatements.set(names.length, stmt);
    }
    return new Set(stmt.all(customerId, ...names) as string[]);
  };
  const seriesBytes = (s: Series): number => s.bytes;
  // One series per metric set a generation reads (v1 five, v2 and v3 more): held per set.
  const dailySeries = (customerId: number, list: readonly Metric[]): Series =>
    cache.get(customerId, `S|d|${list.join(',')}`, () => Series.of(list, seriesStatements(list).daily.all(customerId) as unknown[][]), seriesBytes);
  const categorySeries = (customerId: number, name: string, list: readonly Metric[]): Series =>
    cache.get(customerId, `S|c|${list.join(',')}|${name}`, () => Series.of(list, seriesStatements(list).category.all(customerId, name) as unknown[][]), seriesBytes);
  // The series one call may use together are bounded by one entry's share of the budget: a call
  // over many categories with long histories (100 × 3 years) whose series could not all stay in
  // the cache would otherwise load them again on every slice of its answer, each evicting the
  // last. Series already held are used; others are loaded while the call's total stays within
  // the share; the remaining categories are read for just the range, from SQL, as before.
  const categorySeriesFor = (customerId: number, categories: readonly string[], list: readonly Metric[]): { series: Map<string, Series>; rest: string[] } => {
    const series = new Map<string, Series>();
    const rest: string[] = [];
    let bytes = 0;
    for (const name of new Set(categories)) {
      let s = cache.peek<Series>(customerId, `S|c|${list.join(',')}|${name}`);
      if (!s && bytes < cache.entryLimit) s = categorySeries(customerId, name, list);
      if (s) {
        series.set(name, s);
        bytes += s.bytes;
      } else rest.push(name);
    }
    return { series, rest };
  };
  const directDaily = (customerId: number, range: DayRange, metrics: readonly Metric[] | undefined): Map<number, MetricRow> => {
    const out = new Map<number, MetricRow>();
    for (const r of read('daily', metrics).all(customerId, range.from, range.to) as Array<Record<string, unknown>>) out.set(Number(r.day), toRow(r));
    return out;
  };
  const directCategoryDaily = (customerId: number, categories: readonly string[], range: DayRange, metrics: readonly Metric[] | undefined): Map<string, Map<number, MetricRow>> => {
    const out = new Map<string, Map<number, MetricRow>>();
    if (categories.length === 0) return out;
    const rows = read('category', metrics, categories.length).all(customerId, ...categories, range.from, range.to) as Array<Record<string, unknown>>;
    for (const [name, days] of byNameAndDay(rows, 'category')) out.set(name, days);
    return out;
  };
  const directCategoryAggregate = (customerId: number, categories: readonly string[], metrics: readonly Metric[] | undefined, throughDay: number): Map<string, MetricRow> => {
    if (categories.length === 0) return new Map<string, MetricRow>();
    const rows = read('categoryAggregate', metrics, categories.length).all(customerId, ...categories, throughDay) as Array<Record<string, unknown>>;
    return new Map(rows.map((r) => [String(r.category), toRow(r)]));
  };

  // One per sort metric at most (v3 sums): a bounded set.
  const sumsPages = new Map<string, Database.Statement>();
  // Read statements for each metric subset asked for (a handful in practice: v1, v2, all).
  const reads = new Map<string, Database.Statement>();
  const read = (kind: 'daily' | 'aggregate' | 'category' | 'categoryAggregate', metrics: readonly Metric[] | undefined, categories = 0): Database.Statement => {
    const list = metricList(metrics);
    const key = `${kind}:${categories}:${list.join(',')}`;
    let stmt = reads.get(key);
    if (!stmt) {
      const cols = list.join(', ');
      stmt = db.prepare(
        kind === 'daily'
          ? `SELECT day, ${cols} FROM daily_stats WHERE customer_id = ? AND day BETWEEN ? AND ?`
          : kind === 'aggregate'
            ? `SELECT ${sums(list)} FROM daily_stats WHERE customer_id = ? AND day <= ?`
            : kind === 'categoryAggregate'
              ? `SELECT category, ${sums(list)} FROM category_daily_stats WHERE customer_id = ? AND category IN (${inList(categories)}) AND day <= ? GROUP BY category`
              : `SELECT category, day, ${cols} FROM category_daily_stats WHERE customer_id = ? AND category IN (${inList(categories)}) AND day BETWEEN ? AND ?`,
      );
      if (reads.size < 1000) reads.set(key, stmt);
    }
    return stmt;
  };

  const writes = sqliteWrites(db, options);
  // The server's batches are applied off its event loop, several per commit (sqliteWriterThread.ts);
  // a file only (an in-memory database is private to its connection).
  const writer = options.writerThread && path !== ':memory:' ? new SqliteWriter({ path, options: { retentionMs: options.retentionMs, quarantine: options.quarantine } }) : null;

  return withAccountMemo({
    backend: 'sqlite',
    ...sqliteProviderState(db, options.retentionMs, guard),
    ...sqliteAccounts(db, guard),
    ...sqliteProvisioning(db, guard),
    ...sqliteSuppressions(db, guard),
    readCacheStats: () => ({ ...cache.stats(), ...memo.counts }),
    ...(seriesOn ? { answers: new AnswerCache(cache) } : {}),
    addReseller: (apiUser, salt, hash, keyDigest) => guard(() => void q.addReseller.run(apiUser, salt, hash, keyDigest ?? null, Date.now())),
    findResellerByKeyDigest: (keyDigest) =>
      guard(() => {
        return toReseller(q.findResellerByKeyDigest.get(keyDigest) as ResellerRow | undefined);
      }),
    setResellerKeyDigest: (resellerId, keyDigest) => guard(() => void q.setResellerKeyDigest.run(keyDigest, resellerId)),
    customersOf: (resellerId) =>
      guard(() =>
        (q.customersOf.all(resellerId) as Array<{ id: number; username: string; reseller_id: number; timezone: string; webhook_key: string | null }>).map((r) => ({
          id: r.id,
          username: r.username,
          resellerId: r.reseller_id,
          timezone: r.timezone,
          webhookKey: r.webhook_key,
        })),
      ),
    sumsByCustomer: (resellerId, range) =>
      guard(() => {
        const rows = q.sumsByCustomer.all(resellerId, range.from, range.to) as Array<Record<string, unknown>>;
        return new Map(rows.map((r) => [Number(r.customer_id), toRow(r)]));
      }),
    // Not cached: the read cache is per customer, and these span all of a reseller's.
    resellerDaily: (resellerId, range) =>
      guard(() => {
        const rows = q.resellerDaily.all(resellerId, range.from, range.to) as Array<Record<string, unknown>>;
        return new Map(rows.map((r) => [Number(r.day), toRow(r)]));
      }),
    resellerCategoryDaily: (resellerId, categories, range) =>
      guard(() => {
        const out = new Map<string, Map<number, MetricRow>>();
        if (categories.length === 0) return out;
        const rows = db
          .prepare(
            `SELECT category, day, ${SUM_ALL} FROM category_daily_stats
             WHERE customer_id IN (SELECT id FROM customers WHERE reseller_id = ?) AND category IN (${inList(categories.length)})
               AND day BETWEEN ? AND ? GROUP BY category, day`,
          )
          .all(resellerId, ...categories, range.from, range.to) as Array<Record<string, unknown>>;
        for (const [name, days] of byNameAndDay(rows, 'category')) out.set(name, days);
        return out;
      }),
    resellerKnownCategories: (resellerId, names) =>
      guard(() => {
        if (names.length === 0) return new Set<string>();
        const rows = db
          .prepare(
            `SELECT DISTINCT category FROM customer_categories
             WHERE customer_id IN (SELECT id FROM customers WHERE reseller_id = ?) AND category IN (${inList(names.length)})`,
          )
          .all(resellerId, ...names) as Array<{ category: string }>;
        return new Set(rows.map((r) => r.category));
      }),
    categorySums: (customerId, range, names) =>
      guard(() => {
        const rows = (
          names === undefined
            ? q.categorySums.all(customerId, range.from, range.to)
            : names.length === 0
              ? []
              : db
                  .prepare(`SELECT category, ${SUM_ALL} FROM category_daily_stats WHERE customer_id = ? AND category IN (${inList(names.length)}) AND day BETWEEN ? AND ? GROUP BY category`)
                  .all(customerId, ...names, range.from, range.to)
        ) as Array<Record<string, unknown>>;
        return new Map(rows.map((r) => [String(r.category), toRow(r)]));
      }),
    findReseller: (apiUser) =>
      guard(() => {
        return toReseller(q.findReseller.get(apiUser) as ResellerRow | undefined);
      }),
    addCustomer: (username, resellerId, timezone) =>
      guard(() => {
        const info = q.addCustomer.run(username, resellerId, timezone, Date.now());
        return { id: Number(info.lastInsertRowid), username, resellerId, timezone, webhookKey: null };
      }),
    rotateKey: (apiUser, salt, hash, digest) => guard(() => q.rotateKey.run(salt, hash, digest, apiUser).changes === 1),
    endSessions: (account) => guard(() => void (account.kind === 'customer' ? q.endCustomerSessions : q.endResellerSessions).run(account.id)),
    findCustomer: (username) =>
      guard(() => {
        const r = q.findCustomer.get(username) as { id: number; username: string; reseller_id: number; timezone: string; webhook_key: string | null } | undefined;
        return r ? { id: r.id, username: r.username, resellerId: r.reseller_id, timezone: r.timezone, webhookKey: r.webhook_key } : null;
      }),
    setWebhookKey: (username, pem) => guard(() => q.setWebhookKey.run(pem, username).changes === 1),
    // With a writer thread the commit is another connection's: the change counters (polled
    // before the next read) drop this customer's entries, as for any other process's commit.
    applyBatch: (customer, events, rejected, now, resolved = []) =>
      writer
        ? writer.apply(customer, events, rejected, now, resolved)
        : guard(() => {
            try {
              return writes.apply(customer, events, rejected, now.getTime(), resolved);
            } finally {
              cache.forget(customer.id);
            }
          }),
    writesOffThread: writer !== null,
    ...(writer ? { writerStats: () => ({ ...writer.stats }) } : {}),
    pruneExpired: (cutoff, limit) => (writer ? writer.prune('pruneExpired', cutoff, limit) : guard(() => writes.pruneExpired(cutoff.getTime(), limit))),
    pruneQuarantine: (cutoff, limit) => (writer ? writer.prune('pruneQuarantine', cutoff, limit) : guard(() => writes.pruneQuarantine(cutoff.getTime(), limit))),
    daily: (customerId, range: DayRange, metrics) =>
      guard(() => {
        if (!seriesOn) return directDaily(customerId, range, metrics);
        return dailySeries(customerId, metricList(metrics)).rowsIn(range);
      }),
    categoryDaily: (customerId, categories, range, metrics) =>
      guard(() => {
        if (!seriesOn) return directCategoryDaily(customerId, categories, range, metrics);
        const list = metricList(metrics);
        const { series, rest } = categorySeriesFor(customerId, categories, list);
        const out = new Map<string, Map<number, MetricRow>>();
        const direct = directCategoryDaily(customerId, rest, range, metrics);
        for (const name of categories) {
          const s = series.get(name);
          const days = s ? s.rowsIn(range) : direct.get(name);
          if (days && days.size > 0) out.set(name, days); // as SQL: a name appears only with rows in range
        }
        return out;
      }),
    providerDaily: (customerId, range) =>
      guard(() =>
        cache.get(customerId, `p|${range.from}|${range.to}`, () => {
          const out = new Map<string, Map<number, MetricRow>>();
          for (const [name, days] of byNameAndDay(q.providerDaily.all(customerId, range.from, range.to) as Array<Record<string, unknown>>, 'provider')) out.set(name, days);
          return out;
        }, categoryRowsBytes),
      ),
    aggregate: (customerId, metrics, throughDay = LAST_DAY) =>
      guard(() => {
        if (!seriesOn) return toRow(read('aggregate', metrics).get(customerId, throughDay) as Record<string, unknown>);
        return dailySeries(customerId, metricList(metrics)).sumThrough(throughDay);
      }),
    categoryAggregate: (customerId, categories, metrics, throughDay = LAST_DAY) =>
      guard(() => {
        if (!seriesOn) return directCategoryAggregate(customerId, categories, metrics, throughDay);
        const list = metricList(metrics);
        const { series, rest } = categorySeriesFor(customerId, categories, list);
        const direct = directCategoryAggregate(customerId, rest, metrics, throughDay);
        const out = new Map<string, MetricRow>();
        for (const name of categories) {
          const s = series.get(name);
          const row = s ? (s.hasThrough(throughDay) ? s.sumThrough(throughDay) : undefined) : direct.get(name);
          if (row) out.set(name, row);
        }
        return out;
      }),
    categories: (customerId, page) =>
      guard(() => {
        const rows = page
          ? page.after === null
            ? q.categoriesFrom.all(customerId, '', page.limit)
            : q.categoriesAfter.all(customerId, page.after, page.limit)
          : q.categories.all(customerId);
        return (rows as Array<{ category: string }>).map((r) => r.category);
      }),
    categorySumsPage: (customerId, range, page, metrics) =>
      guard(() => {
        const op = page.after === null ? '>=' : '>';
        const key = `${op}|${metricList(metrics).join(',')}`;
        let stmt = sumsPages.get(key);
        if (!stmt) sumsPages.set(key, (stmt = db.prepare(categorySumsPageSql(op, metrics))));
        const rows = stmt.all(customerId, page.after ?? '', page.limit, customerId, range.from, range.to) as Array<Record<string, unknown>>;
        return rows.map((r) => ({ name: String(r.category), row: toRow(r) }));
      }),
    knownCategories: (customerId, names) =>
      guard(() => {
        if (names.length === 0) return new Set<string>();
        if (seriesOn) return cache.get(customerId, `k|${JSON.stringify(names)}`, () => knownCategories(customerId, names), nameSetBytes);
        return knownCategories(customerId, names);
      }),
    quarantined: (customerId, limit, afterId = 0) =>
      guard(() =>
        (q.quarantined.all(customerId, afterId, limit) as Array<{ id: number; batch_index: number; reason: string; payload: string; received_at: number }>).map((r) => ({
          id: r.id,
          index: r.batch_index,
          error: r.reason,
          payload: r.payload,
          receivedAt: new Date(r.received_at),
        })),
      ),
    schemaVersion: () => guard(() => Number((q.schemaVersion.get() as { version: number }).version)),
    close: async () => {
      await writer?.close();
      await guard(() => void db.close());
    },
  }, memo);
}
