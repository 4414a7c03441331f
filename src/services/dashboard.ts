// What the dashboard shows, computed from the rollups. The customer list reads one grouped
// sum over the last 30 days for all of a reseller's customers (never anyone's full history),
// sorts and pages it, and fetches daily trend lines for the visible page only.
import { type Aggregation, bucketsOf } from '../domain/buckets.js';
import { formatDay } from '../domain/calendar.js';
import { type MetricRow, zeroMetrics } from '../domain/metrics.js';
import type { DayRange } from '../domain/ranges.js';
import { RATE_NAMES, type Rates, ratesOf } from '../domain/rates.js';
import type { Customer, Store } from '../store/types.js';
import { rankCategories } from './categoryRanking.js';
import { sumDays } from './v3Series.js';

export const LIST_DAYS = 30;
export const SORT_KEYS = ['username', 'requests', ...RATE_NAMES] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface CustomerSummary extends Rates {
  username: string;
  timezone: string;
  requests: number;
  delivered: number;
  /** Requests per day over the list's 30 days. */
  trend: number[];
}

export interface ListOptions {
  sort: SortKey;
  dir: 'asc' | 'desc';
  offset: number;
  limit: number;
  /** Case-insensitive substring of the username. */
  filter: string;
}

function compare(a: { c: Customer; row: MetricRow; rates: Rates }, b: typeof a, key: SortKey): number {
  if (key === 'username') return a.c.username < b.c.username ? -1 : a.c.username > b.c.username ? 1 : 0;
  const x = key === 'requests' ? a.row.requests : a.rates[key];
  const y = key === 'requests' ? b.row.requests : b.rates[key];
  return (x ?? -1) - (y ?? -1); // no base to compute a rate from sorts below 0 %
}

export async function customerList(store: Store, resellerId: number, today: number, o: ListOptions) {
  const range: DayRange = { from: today - (LIST_DAYS - 1), to: today };
  const needle = o.filter.toLowerCase();
  const [customers, sums] = await Promise.all([store.customersOf(resellerId), store.sumsByCustomer(resellerId, range)]);
  const rows = customers
    .filter((c) => needle === '' || c.username.toLowerCase().includes(needle))
    .map((c) => {
      const row = sums.get(c.id) ?? zeroMetrics();
      return { c, row, rates: ratesOf(row) };
    });
  const sign = o.dir === 'asc' ? 1 : -1;
  // Ties (and equal rates) fall back to the username, so pages are stable.
  rows.sort((a, b) => sign * compare(a, b, o.sort) || compare(a, b, 'username'));
  const page = rows.slice(o.offset, o.offset + o.limit);
  const trends = await Promise.all(page.map(({ c }) => store.daily(c.id, range)));
  const days = Array.from({ length: LIST_DAYS }, (_, i) => range.from + i);
  return {
    from: formatDay(range.from),
    to: formatDay(range.to),
    total: rows.length,
    offset: o.offset,
    limit: o.limit,
    customers: page.map(({ c, row, rates }, i): CustomerSummary => ({
      username: c.username,
      timezone: c.timezone,
      requests: row.requests,
      delivered: row.delivered,
      ...rates,
      trend: days.map((d) => trends[i]?.get(d)?.requests ?? 0),
    })),
  };
}

/** The columns of the customer page's time series, in display (and CSV) order. */
export const SERIES_FIELDS = [
  'requests',
  'delivered',
  'human_opens',
  'machine_opens',
  'unique_opens',
  'clicks',
  'unique_clicks',
  'bounces',
  'blocks',
  'spamreports',
  'unsubscribes',
] as const;
export type SeriesField = (typeof SERIES_FIELDS)[number];

function project(row: MetricRow): Record<SeriesField, number> {
  const out = {} as Record<SeriesField, number>;
  for (const f of SERIES_FIELDS) out[f] = f === 'human_opens' ? row.opens - row.machine_opens : row[f];
  return out;
}

/** The category breakdown shows the busiest categories only: a customer may have 100,000s. */
export const TOP_CATEGORIES = 100;

/** The busiest categories of the range by requests (ties by name), those with activity in it. */
async function topCategories(store: Store, customer: Customer, range: DayRange): Promise<Map<string, MetricRow>> {
  const names = await rankCategories(store, customer.id, range, {
    score: (row) => row.requests,
    metrics: ['requests'],
    direction: 'desc',
    offset: 0,
    limit: TOP_CATEGORIES,
  });
  return store.categorySums(customer.id, range, names);
}

export async function customerSeries(store: Store, customer: Customer, range: DayRange, by: Aggregation) {
  const [days, categories, providers] = await Promise.all([store.daily(customer.id, range), topCategories(store, customer, range), store.providerDaily(customer.id, range)]);
  return {
    username: customer.username,
    timezone: customer.timezone,
    start_date: formatDay(range.from),
    end_date: formatDay(range.to),
    aggregated_by: by,
    fields: SERIES_FIELDS,
    buckets: bucketsOf(range, by).map((b) => ({ date: formatDay(b.from), ...project(sumDays(days, b)) })),
    totals: project(sumDays(days, range)),
    categories: [...categories]
      .map(([category, row]) => ({ category, ...project(row) }))
      .sort((a, b) => b.requests - a.requests || (a.category < b.category ? -1 : 1)),
    // The split of `totals` by the provider the events came through (a handful of rows at most).
    providers: [...providers]
      .map(([provider, byDay]) => ({ provider, ...project(sumDays(byDay, range)) }))
      .sort((a, b) => b.requests - a.requests || (a.provider < b.provider ? -1 : 1)),
  };
}
