// v3 time series: daily rollups summed into day/week/month buckets and shown as SendGrid's
// [{"date","stats":[{"type","name","metrics"}]}]. Summing daily unique counts is exact: each
// message's unique open/click is stored on one day only, the day of its first one.
import { bucketsOf } from '../domain/buckets.js';
import { formatDay } from '../domain/calendar.js';
import { METRICS, type MetricRow, zeroMetrics } from '../domain/metrics.js';
import type { DayRange } from '../domain/ranges.js';
import { type V3Metrics, toV3Metrics } from '../domain/v3Metrics.js';
import type { V3Series } from '../domain/v3Query.js';
import type { Customer, Store } from '../store/types.js';

export type V3StatType = 'subuser' | 'category' | 'provider';

/** One entry of a date's `stats`; /v3/stats has neither type nor name, as on SendGrid. */
export type V3Stat = { type: V3StatType; name: string; metrics: V3Metrics } | { metrics: V3Metrics };

export interface V3Point {
  date: string;
  stats: V3Stat[];
}

interface DailyLine {
  label?: { type: V3StatType; name: string };
  days: ReadonlyMap<number, MetricRow>;
}

export function sumDays(days: ReadonlyMap<number, MetricRow>, range: DayRange): MetricRow {
  const total = zeroMetrics();
  for (let d = range.from; d <= range.to; d++) {
    const row = days.get(d);
    if (row) for (const m of METRICS) total[m] += row[m];
  }
  return total;
}

/** Every bucket of the range, each listing every line (zero-filled), in the lines' order. */
function bucketed(lines: readonly DailyLine[], q: V3Series): V3Point[] {
  const options = { excludeMachineOpens: q.excludeMachineOpens };
  return bucketsOf(q.range, q.aggregatedBy).map((bucket) => ({
    date: formatDay(bucket.from),
    stats: lines.map(({ label, days }) => {
      const metrics = toV3Metrics(sumDays(days, bucket), options);
      return label ? { type: label.type, name: label.name, metrics } : { metrics };
    }),
  }));
}

/** GET /v3/stats: one customer's totals. */
export async function customerSeries(store: Store, customer: Customer, q: V3Series): Promise<V3Point[]> {
  return bucketed([{ days: await store.daily(customer.id, q.range) }], q);
}

/**
 * GET /v3/stats?group_by=provider (a mailtally extension): one line per provider the customer's
 * events in the range came through, by name; together they add up to customerSeries.
 */
export async function providerSeries(store: Store, customer: Customer, q: V3Series): Promise<V3Point[]> {
  const split = await store.providerDaily(customer.id, q.range);
  const names = [...split.keys()].sort();
  return bucketed(
    names.map((name) => ({ label: { type: 'provider' as const, name }, days: split.get(name) as ReadonlyMap<number, MetricRow> })),
    q,
  );
}

/** GET /v3/subusers/stats: one line per named customer, in the order requested. */
export async function subuserSeries(store: Store, customers: readonly Customer[], q: V3Series): Promise<V3Point[]> {
  const lines = await Promise.all(
    customers.map(async (c) => ({ label: { type: 'subuser' as const, name: c.username }, days: await store.daily(c.id, q.range) })),
  );
  return bucketed(lines, q);
}

/** GET /v3/stats without on-behalf-of: the reseller's own (parent account) view, all customers summed. */
export async function resellerSeries(store: Store, resellerId: number, q: V3Series): Promise<V3Point[]> {
  return bucketed([{ days: await store.resellerDaily(resellerId, q.range) }], q);
}

/** GET /v3/categories/stats without on-behalf-of: each requested category any customer has, summed. */
export async function resellerCategorySeries(store: Store, resellerId: number, names: readonly string[], q: V3Series): Promise<V3Point[]> {
  const known = await store.resellerKnownCategories(resellerId, names);
  const categories = names.filter((c) => known.has(c));
  const found = await store.resellerCategoryDaily(resellerId, categories, q.range);
  return bucketed(
    categories.map((name) => ({ label: { type: 'category' as const, name }, days: found.get(name) ?? new Map<number, MetricRow>() })),
    q,
  );
}

/**
 * GET /v3/categories/stats: one line per requested category the customer has, in the order
 * requested. As in v1, a name the customer never had yields no line.
 */
export async function categorySeries(store: Store, customer: Customer, names: readonly string[], q: V3Series): Promise<V3Point[]> {
  const known = await store.knownCategories(customer.id, names);
  const categories = names.filter((c) => known.has(c));
  const found = await store.categoryDaily(customer.id, categories, q.range);
  return bucketed(
    categories.map((name) => ({ label: { type: 'category' as const, name }, days: found.get(name) ?? new Map<number, MetricRow>() })),
    q,
  );
}
