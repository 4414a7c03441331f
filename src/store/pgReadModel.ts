// Rollup reads of the shared backend answered from memory (issue 15), exact across processes.
// Like the embedded store (sqlite.ts), a customer's daily and per-category rollups are held as
// Series (series.ts) in the byte-budgeted LRU (readCache.ts), so any range or running total is a
// binary search and a walk instead of rows parsed off the wire. Several processes share the
// database, so each read first fetches the customer's row of rollup_versions (migration 014), one
// indexed lookup of a prepared statement; every batch that changes the customer's rollups bumps
// it in its own transaction. When the number differs from the one the held entries were loaded
// under, they are dropped. A series is loaded in the same statement as the version it is tagged
// with (one statement is one snapshot), so an entry is never tagged newer than its data: a read
// that starts after a commit was acknowledged sees that commit, whichever process made it.
import type pg from 'pg';
import type { Metric, MetricRow } from '../domain/metrics.js';
import type { DayRange } from '../domain/ranges.js';
import { ReadCache, type ReadCacheStats, nameSetBytes } from './readCache.js';
import { Series } from './series.js';

/** Bumps the customer's version; run inside the transaction that changes its rollups. */
export const PG_BUMP_ROLLUP_VERSION = `INSERT INTO rollup_versions (customer_id, version) VALUES ($1, 1)
  ON CONFLICT (customer_id) DO UPDATE SET version = rollup_versions.version + 1`;

// A scalar subquery, so a customer without a row (never changed since migration 014) is 0.
const VERSION_OF = (param: string): string => `COALESCE((SELECT version FROM rollup_versions WHERE customer_id = ${param}), 0)`;

export interface PgReadModel {
  daily(customerId: number, range: DayRange, list: readonly Metric[]): Promise<Map<number, MetricRow>>;
  aggregate(customerId: number, list: readonly Metric[], throughDay: number): Promise<MetricRow>;
  categoryDaily(customerId: number, names: readonly string[], range: DayRange, list: readonly Metric[]): Promise<Map<string, Map<number, MetricRow>>>;
  categoryAggregate(customerId: number, names: readonly string[], list: readonly Metric[], throughDay: number): Promise<Map<string, MetricRow>>;
  knownCategories(customerId: number, names: readonly string[]): Promise<Set<string>>;
  stats(): ReadCacheStats;
}

type Rows = unknown[][];

/** `storable` filters names PostgreSQL text cannot hold (they have no rows). */
export function pgReadModel(pool: pg.Pool, budget: number, storable: (name: string) => boolean): PgReadModel {
  // Nothing to sync before a lookup (that is SQLite's change counters): here the version is per
  // customer, fetched by each read, kept in `tags` and applied with forget().
  const cache = new ReadCache(() => undefined, budget);
  /** Customer → the version every entry held for it was loaded under. */
  const tags = new Map<number, bigint>();

  // Named statements are parsed and planned once per connection; names by metric set, bounded.
  const names = new Map<string, string>();
  const query = async (kind: string, text: () => string, values: unknown[]): Promise<Rows> => {
    let name = names.get(kind);
    if (!name && names.size < 500) names.set(kind, (name = `mt_rm${names.size}`));
    const r = await pool.query({ name, text: text(), values, rowMode: 'array' });
    return r.rows as Rows;
  };

  /** The customer's version now; held entries loaded under another are dropped. */
  const current = async (customerId: number): Promise<bigint> => {
    const rows = await query('v', () => `SELECT ${VERSION_OF('$1')}`, [customerId]);
    const v = BigInt(String(rows[0]?.[0] ?? 0));
    if (tags.get(customerId) !== v) {
      cache.forget(customerId);
      tags.set(customerId, v);
    }
    return v;
  };

  /**
   * Whether values loaded at version `w` may be held. Versions only grow (increments under the
   * row lock), so a newer load replaces what is held; an older one (a slow load overtaken by a
   * newer read) answers its own call only.
   */
  const admit = (customerId: number, w: bigint): boolean => {
    const tag = tags.get(customerId);
    if (tag === w) return true;
    if (tag !== undefined && w < tag) return false;
    cache.forget(customerId);
    tags.set(customerId, w);
    return true;
  };

  const columns = (list: readonly Metric[]): string => list.map((m) => `, s.${m}`).join('');
  const seriesBytes = (s: Series): number => s.bytes;

  async function dailySeries(customerId: number, list: readonly Metric[]): Promise<Series> {
    const key = `S|d|${list.join(',')}`;
    await current(customerId);
    const held = cache.peek<Series>(customerId, key);
    if (held) return held;
    // One row with a NULL day when the customer has none (LEFT JOIN): the version still comes back.
    const rows = await query(`d|${list.join(',')}`, () =>
      `SELECT v.version, s.day${columns(list)} FROM (SELECT ${VERSION_OF('$1')} AS version) v
       LEFT JOIN daily_stats s ON s.customer_id = $1 ORDER BY s.day`,
      [customerId],
    );
    const w = BigInt(String(rows[0]?.[0] ?? 0));
    const series = Series.of(list, rows.filter((r) => r[1] !== null).map((r) => r.slice(1)));
    if (admit(customerId, w)) cache.get(customerId, key, () => series, seriesBytes);
    return series;
  }

  async function loadCategories(customerId: number, wanted: readonly string[], list: readonly Metric[]): Promise<{ version: bigint; series: Map<string, Series> }> {
    const rows = await query(`c|${list.join(',')}`, () =>
      `SELECT v.version, n.name, s.day${columns(list)} FROM (SELECT ${VERSION_OF('$1')} AS version) v
       CROSS JOIN unnest($2::text[]) AS n(name)
       LEFT JOIN category_daily_stats s ON s.customer_id = $1 AND s.category = n.name
       ORDER BY n.name, s.day`,
      [customerId, wanted],
    );
    const byName = new Map<string, Rows>(wanted.map((n) => [n, []]));
    for (const r of rows) if (r[2] !== null) byName.get(String(r[1]))?.push(r.slice(2));
    const series = new Map<string, Series>();
    for (const [name, days] of byName) series.set(name, Series.of(list, days));
    return { version: BigInt(String(rows[0]?.[0] ?? 0)), series };
  }

  /** The series of each storable name; one answer is always one snapshot. */
  async function categorySeries(customerId: number, requested: readonly string[], list: readonly Metric[]): Promise<Map<string, Series>> {
    const wanted = [...new Set(requested)].filter(storable);
    const out = new Map<string, Series>();
    if (wanted.length === 0) return out;
    const key = (name: string): string => `S|c|${list.join(',')}|${name}`;
    const v = await current(customerId);
    const missing: string[] = [];
    for (const name of wanted) {
      const held = cache.peek<Series>(customerId, key(name));
      if (held) out.set(name, held);
      else missing.push(name);
    }
    if (missing.length === 0) return out;
    let loaded = await loadCategories(customerId, missing, list);
    if (loaded.version !== v && out.size > 0) {
      // A commit landed between the version read and this load: the held series are older than
      // the loaded ones, so read them all again rather than answer from two snapshots.
      out.clear();
      loaded = await loadCategories(customerId, wanted, list);
    }
    const keep = admit(customerId, loaded.version);
    for (const [name, series] of loaded.series) {
      out.set(name, series);
      if (keep) cache.get(customerId, key(name), () => series, seriesBytes);
    }
    return out;
  }

  return {
    daily: async (customerId, range, list) => (await dailySeries(customerId, list)).rowsIn(range),
    aggregate: async (customerId, list, throughDay) => (await dailySeries(customerId, list)).sumThrough(throughDay),
    categoryDaily: async (customerId, names, range, list) => {
      const series = await categorySeries(customerId, names, list);
      const out = new Map<string, Map<number, MetricRow>>();
      for (const name of names) {
        const days = series.get(name)?.rowsIn(range);
        if (days && days.size > 0) out.set(name, days); // as SQL: a name appears only with rows in range
      }
      return out;
    },
    categoryAggregate: async (customerId, names, list, throughDay) => {
      const series = await categorySeries(customerId, names, list);
      const out = new Map<string, MetricRow>();
      for (const name of names) {
        const s = series.get(name);
        if (s?.hasThrough(throughDay)) out.set(name, s.sumThrough(throughDay)); // as SQL's GROUP BY
      }
      return out;
    },
    knownCategories: async (customerId, requested) => {
      const valid = requested.filter(storable);
      if (valid.length === 0) return new Set<string>();
      const key = `k|${JSON.stringify(valid)}`;
      await current(customerId);
      const held = cache.peek<Set<string>>(customerId, key);
      if (held) return held;
      const rows = await query('k', () =>
        `SELECT ${VERSION_OF('$1')}, ARRAY(SELECT category FROM customer_categories WHERE customer_id = $1 AND category = ANY($2::text[]))`,
        [customerId, valid],
      );
      const w = BigInt(String(rows[0]?.[0] ?? 0));
      const found = new Set((rows[0]?.[1] as string[] | undefined) ?? []);
      if (admit(customerId, w)) cache.get(customerId, key, () => found, nameSetBytes);
      return found;
    },
    stats: () => cache.stats(),
  };
}
