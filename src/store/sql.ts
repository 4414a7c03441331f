// SQL text and row helpers shared by both backends. Column names come only from METRICS, a fixed list; every
// value is a bound parameter.
import { METRICS, type Metric, type MetricRow, zeroMetrics } from '../domain/metrics.js';

export const METRIC_COLUMNS = METRICS.join(', ');

/**
 * `m = table.m + excluded.m` for every metric: the upsert-increment of a rollup row. The
 * existing row's column is qualified because PostgreSQL calls a bare `m` ambiguous there;
 * SQLite accepts the same text.
 */
export function incrementAll(table: string): string {
  return METRICS.map((m) => `${m} = ${table}.${m} + excluded.${m}`).join(', ');
}

export const SUM_ALL = sums(METRICS);

/** `COALESCE(SUM(m), 0) AS m` for each metric. */
export function sums(metrics: readonly Metric[]): string {
  return metrics.map((m) => `COALESCE(SUM(${m}), 0) AS ${m}`).join(', ');
}

/**
 * Only names from METRICS, in METRICS order, no repeats: what reaches SQL text, and a stable
 * key for caching the statement built from it.
 */
export function metricList(metrics: readonly Metric[] = METRICS): Metric[] {
  return METRICS.filter((m) => metrics.includes(m));
}

/** A rollup row as a MetricRow; metrics the query did not select (or NULL sums) are 0. */
export function toRow(r: Record<string, unknown> | undefined): MetricRow {
  const row = zeroMetrics();
  if (r) for (const m of METRICS) if (r[m] !== undefined && r[m] !== null) row[m] = Number(r[m]);
  return row;
}

/** Rows of (`column`, day, metrics…) as name → day → row: category and provider reads alike. */
export function byNameAndDay(rows: Iterable<Record<string, unknown>>, column: string): Map<string, Map<number, MetricRow>> {
  const out = new Map<string, Map<number, MetricRow>>();
  for (const r of rows) {
    const name = String(r[column]);
    let days = out.get(name);
    if (!days) out.set(name, (days = new Map()));
    days.set(Number(r.day), toRow(r));
  }
  return out;
}
