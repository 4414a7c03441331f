// SQL text shared by both backends. Column names come only from METRICS, a fixed list; every
// value is a bound parameter.
import { METRICS, type Metric } from '../domain/metrics.js';

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
