// Answers a parsed stats query from the rollups: zero-fills every day of the range and orders
// category rows by day, then by the order the categories were requested.
import { type Metric, type MetricRow, zeroMetrics } from '../domain/metrics.js';
import { daysOf } from '../domain/ranges.js';
import type { StatsQuery } from '../domain/statsQuery.js';
import type { Customer, Store } from '../store/types.js';

export type StatsAnswer =
  | { kind: 'daily'; days: Array<{ day: number; row: MetricRow }> }
  | { kind: 'category'; rows: Array<{ day: number; category: string; row: MetricRow }> }
  | { kind: 'aggregate'; row: MetricRow }
  | { kind: 'categoryAggregate'; rows: Array<{ category: string; row: MetricRow }> }
  | { kind: 'list'; categories: string[] };

/** `metrics`: the ones the caller renders; only those are read (the rest are 0). */
export async function answerStats(store: Store, customer: Customer, query: StatsQuery, metrics?: readonly Metric[]): Promise<StatsAnswer> {
  switch (query.kind) {
    case 'aggregate':
      return { kind: 'aggregate', row: await store.aggregate(customer.id, metrics) };
    case 'list':
      return { kind: 'list', categories: await store.categories(customer.id) };
    case 'categoryAggregate': {
      // Requested names the customer has, in request order; one it has without any counted
      // event yet (e.g. only group_resubscribes) is all zeros, as in category statistics.
      const known = await store.knownCategories(customer.id, query.categories);
      const categories = query.categories.filter((c) => known.has(c));
      const totals = await store.categoryAggregate(customer.id, categories, metrics);
      return { kind: 'categoryAggregate', rows: categories.map((category) => ({ category, row: totals.get(category) ?? zeroMetrics() })) };
    }
    case 'daily': {
      const found = await store.daily(customer.id, query, metrics);
      return { kind: 'daily', days: [...daysOf(query)].map((day) => ({ day, row: found.get(day) ?? zeroMetrics() })) };
    }
    case 'category': {
      const known = await store.knownCategories(customer.id, query.categories);
      const categories = query.categories.filter((c) => known.has(c));
      const found = await store.categoryDaily(customer.id, categories, query, metrics);
      const rows: Array<{ day: number; category: string; row: MetricRow }> = [];
      for (const day of daysOf(query)) {
        for (const category of categories) rows.push({ day, category, row: found.get(category)?.get(day) ?? zeroMetrics() });
      }
      return { kind: 'category', rows };
    }
  }
}
