// Answers a parsed stats query from the rollups: zero-fills every day of the range and orders
// category rows by day, then by the order the categories were requested.
//
// A legal question can be large (100 categories × 1,095 days is 109,500 rows, 58 MB of v2 XML),
// and SQLite reads are synchronous. So the rows come in slices of at most SLICE_ROWS — each
// slice one short read — with the event loop free between slices: one big answer never holds
// every other tenant's requests for more than a few milliseconds at a time, and never holds
// more than a slice of rows in memory (the renderer streams them out as they come).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Metric, type MetricRow, zeroMetrics } from '../domain/metrics.js';
import type { DayRange } from '../domain/ranges.js';
import type { StatsQuery } from '../domain/statsQuery.js';
import type { Customer, NamePage, Store } from '../store/types.js';

/** Rows per slice: reading and rendering one takes a few milliseconds. */
export const SLICE_ROWS = 250;
/** Category names per slice of `list=true`. */
export const SLICE_NAMES = 2_000;

export interface DayRow {
  day: number;
  row: MetricRow;
}
export interface CategoryRow extends DayRow {
  category: string;
}

export type StatsAnswer =
  | { kind: 'daily'; slices: AsyncIterable<DayRow[]> }
  | { kind: 'category'; slices: AsyncIterable<CategoryRow[]> }
  | { kind: 'aggregate'; row: MetricRow }
  | { kind: 'categoryAggregate'; rows: Array<{ category: string; row: MetricRow }> }
  | { kind: 'list'; slices: AsyncIterable<string[]> };

/**
 * Whose rollups a stats call reads: one customer's, or (stats.get with a reseller's own
 * credentials, SPEC section 8) the sum over all of a reseller's customers.
 */
export interface StatsSource {
  daily(range: DayRange, metrics?: readonly Metric[]): Promise<Map<number, MetricRow>>;
  categoryDaily(categories: readonly string[], range: DayRange, metrics?: readonly Metric[]): Promise<Map<string, Map<number, MetricRow>>>;
  aggregate(through: number, metrics?: readonly Metric[]): Promise<MetricRow>;
  categoryAggregate(categories: readonly string[], through: number, metrics?: readonly Metric[]): Promise<Map<string, MetricRow>>;
  categories(page: NamePage): Promise<string[]>;
  knownCategories(names: readonly string[]): Promise<Set<string>>;
}

export function customerSource(store: Store, customer: Customer): StatsSource {
  const id = customer.id;
  return {
    daily: (range, metrics) => store.daily(id, range, metrics),
    categoryDaily: (categories, range, metrics) => store.categoryDaily(id, categories, range, metrics),
    aggregate: (through, metrics) => store.aggregate(id, metrics, through),
    categoryAggregate: (categories, through, metrics) => store.categoryAggregate(id, categories, metrics, through),
    categories: (page) => store.categories(id, page),
    knownCategories: (names) => store.knownCategories(id, names),
  };
}

/** The parent-account view: every metric is read (the sums are grouped in SQL either way). */
export function resellerSource(store: Store, resellerId: number): StatsSource {
  return {
    daily: (range) => store.resellerDaily(resellerId, range),
    categoryDaily: (categories, range) => store.resellerCategoryDaily(resellerId, categories, range),
    aggregate: (through) => store.resellerAggregate(resellerId, through),
    categoryAggregate: (categories, through) => store.resellerCategoryAggregate(resellerId, categories, through),
    categories: (page) => store.resellerCategories(resellerId, page),
    knownCategories: (names) => store.resellerKnownCategories(resellerId, names),
  };
}

/** The range cut into consecutive pieces of at most `days` days. */
function* pieces(range: DayRange, days: number): Generator<DayRange> {
  for (let from = range.from; from <= range.to; from += days) yield { from, to: Math.min(range.to, from + days - 1) };
}

async function* dailySlices(source: StatsSource, range: DayRange, metrics?: readonly Metric[]): AsyncGenerator<DayRow[]> {
  let first = true;
  for (const piece of pieces(range, SLICE_ROWS)) {
    if (!first) await nextTurn();
    first = false;
    const found = await source.daily(piece, metrics);
    const rows: DayRow[] = [];
    for (let day = piece.from; day <= piece.to; day++) rows.push({ day, row: found.get(day) ?? zeroMetrics() });
    yield rows;
  }
}

async function* categorySlices(source: StatsSource, categories: readonly string[], range: DayRange, metrics?: readonly Metric[]): AsyncGenerator<CategoryRow[]> {
  if (categories.length === 0) return;
  let first = true;
  for (const piece of pieces(range, Math.max(1, Math.floor(SLICE_ROWS / categories.length)))) {
    if (!first) await nextTurn();
    first = false;
    const found = await source.categoryDaily(categories, piece, metrics);
    const rows: CategoryRow[] = [];
    for (let day = piece.from; day <= piece.to; day++) {
      for (const category of categories) rows.push({ day, category, row: found.get(category)?.get(day) ?? zeroMetrics() });
    }
    yield rows;
  }
}

async function* listSlices(source: StatsSource): AsyncGenerator<string[]> {
  let after: string | null = null;
  for (;;) {
    const names = await source.categories({ after, limit: SLICE_NAMES });
    if (names.length > 0) yield names;
    if (names.length < SLICE_NAMES) return;
    after = names[names.length - 1] as string;
    await nextTurn();
  }
}

/** `metrics`: the ones the caller renders; only those are read (the rest are 0). */
export function answerStats(store: Store, customer: Customer, query: StatsQuery, metrics?: readonly Metric[]): Promise<StatsAnswer> {
  return answerFrom(customerSource(store, customer), query, metrics);
}

export async function answerFrom(source: StatsSource, query: StatsQuery, metrics?: readonly Metric[]): Promise<StatsAnswer> {
  switch (query.kind) {
    case 'aggregate':
      return { kind: 'aggregate', row: await source.aggregate(query.through, metrics) };
    case 'list':
      return { kind: 'list', slices: listSlices(source) };
    case 'categoryAggregate': {
      // Requested names the customer has, in request order; one it has without any counted
      // event yet (e.g. only group_resubscribes) is all zeros, as in category statistics.
      // At most 100 rows (MAX_CATEGORIES), so it needs no slicing.
      const known = await source.knownCategories(query.categories);
      const categories = query.categories.filter((c) => known.has(c));
      const totals = await source.categoryAggregate(categories, query.through, metrics);
      return { kind: 'categoryAggregate', rows: categories.map((category) => ({ category, row: totals.get(category) ?? zeroMetrics() })) };
    }
    case 'daily':
      return { kind: 'daily', slices: dailySlices(source, query, metrics) };
    case 'category': {
      const known = await source.knownCategories(query.categories);
      const categories = query.categories.filter((c) => known.has(c));
      return { kind: 'category', slices: categorySlices(source, categories, query, metrics) };
    }
  }
}
