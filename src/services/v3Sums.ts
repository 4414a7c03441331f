// v3 sums: one total per subuser (or category) over the whole range, sorted by a metric and
// paged, shown as SendGrid shows them — one object {"date": start_date, "stats": […]}.
import { formatDay } from '../domain/calendar.js';
import { type MetricRow, zeroMetrics } from '../domain/metrics.js';
import { toV3Metrics } from '../domain/v3Metrics.js';
import type { V3Sums } from '../domain/v3Query.js';
import type { Customer, Store } from '../store/types.js';
import type { V3Point, V3StatType } from './v3Series.js';

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

/** GET /v3/categories/stats/sums: every category the customer has, idle ones with zeros. */
export async function categorySums(store: Store, customer: Customer, q: V3Sums): Promise<V3Point> {
  const [names, sums] = await Promise.all([store.categories(customer.id), store.categorySums(customer.id, q.range)]);
  return ranked('category', names.map((name) => ({ name, row: sums.get(name) ?? zeroMetrics() })), q);
}
