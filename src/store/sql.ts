// SQL text shared by both backends. Column names come only from METRICS, a fixed list; every
// value is a bound parameter.
import { METRICS } from '../domain/metrics.js';

export const METRIC_COLUMNS = METRICS.join(', ');

/**
 * `m = table.m + excluded.m` for every metric: the upsert-increment of a rollup row. The
 * existing row's column is qualified because PostgreSQL calls a bare `m` ambiguous there;
 * SQLite accepts the same text.
 */
export function incrementAll(table: string): string {
  return METRICS.map((m) => `${m} = ${table}.${m} + excluded.${m}`).join(', ');
}

export const SUM_ALL = METRICS.map((m) => `COALESCE(SUM(${m}), 0) AS ${m}`).join(', ');
