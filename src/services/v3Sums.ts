// v3 sums: one total per subuser (or category) over the whole range, sorted by a metric and
// paged, shown as SendGrid shows them — one object {"date": start_date, "stats": […]}.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { formatDay } from '../domain/calendar.js';
import { type MetricRow, zeroMetrics } from '../domain/metrics.js';
import { sourcesOf, toV3Metrics } from '../domain/v3Metrics.js';
import type { V3Sums } from '../domain/v3Query.js';
import type { Customer, Store } from '../store/types.js';
import { rankCategories } from './categoryRanking.js';
import type { V3Point, V3StatType } from './v3Series.js';

/** Rollup rows one read of the page's totals may touch (names × days). */
const ROWS_PER_READ = 20_000;

/**
 * Sorted by the metric in the requested direction; ties (the many all-zero entries, say) in
 * binary order of the name, ascending either way, so pages are stable across calls.
 */
function ranked(type: V3StatType, entries: ReadonlyArray<{ name: string; row: MetricRow }>, q: V3Sums): V3Point {
  const options = { excludeMachineOpens: q.excludeMachineOpens };
  const sign = q.direction === 'asc' ? 1 : -1;
  const stats = entries.map(({ name, row }) => ({ type, name, metrics: toV3Metrics(row, options), key: Buffer.from(name, 'utf8') }));
  stats.sort((a, b) => sign * (a.metrics[q.sortBy] - b.metrics[q.sortBy]) || Buffer.compare(a.key, b.key));
  return {
    date: formatDay(q.range.from),
    stats: stats.slice(q.offset, q.offset + q.limit).map(({ name, metrics }) => ({ type, name, metrics })),
  };
}

/** GET /v3/subusers/stats/sums: every customer of the reseller, idle ones with zeros. */
export async function subuserSums(store: Store, resellerId: number, customers: readonly Customer[], q: V3Sums): Promise<V3Point> {
  const sums = await store.sumsByCustomer(resellerId, q.range);
  return ranked('subuser', customers.map((c) => ({ name: c.username, row: sums.get(c.id) ?? zeroMetrics() })), q);
}

/**
 * GET /v3/categories/stats/sums: every category the customer has, idle ones with zeros. A
 * customer may have hundreds of thousands, so they are ranked in pages (categoryRanking.ts)
 * and only the page asked for is read whole, a few names at a time, the loop free in between.
 * A batch committed meanwhile may show in the numbers of the page but not in its order.
 */
export async function categorySums(store: Store, customer: Customer, q: V3Sums): Promise<V3Point> {
  const options = { excludeMachineOpens: q.excludeMachineOpens };
  const names = await rankCategories(store, customer.id, q.range, {
    score: (row) => toV3Metrics(row, options)[q.sortBy],
    metrics: sourcesOf(q.sortBy),
    direction: q.direction,
    offset: q.offset,
    limit: q.limit,
  });
  const rows = new Map<string, MetricRow>();
  const perRead = Math.max(1, Math.floor(ROWS_PER_READ / (q.range.to - q.range.from + 1)));
  for (let i = 0; i < names.length; i += perRead) {
    if (i > 0) await nextTurn();
    for (const [name, row] of await store.categorySums(customer.id, q.range, names.slice(i, i + perRead))) rows.set(name, row);
  }
  return {
    date: formatDay(q.range.from),
    stats: names.map((name) => ({ type: 'category' as const, name, metrics: toV3Metrics(rows.get(name) ?? zeroMetrics(), options) })),
  };
}
