// The v3 API's sixteen metrics and where each comes from among the stored ones (SPEC section 5).
// Pure. Listed in the order SendGrid's documentation prints them (alphabetical).
import type { Metric, MetricRow } from './metrics.js';

export const V3_METRICS = [
  'blocks',
  'bounce_drops',
  'bounces',
  'clicks',
  'deferred',
  'delivered',
  'invalid_emails',
  'opens',
  'processed',
  'requests',
  'spam_report_drops',
  'spam_reports',
  'unique_clicks',
  'unique_opens',
  'unsubscribe_drops',
  'unsubscribes',
] as const;

export type V3Metric = (typeof V3_METRICS)[number];
export type V3Metrics = Record<V3Metric, number>;

const SOURCE: Record<V3Metric, Metric> = {
  blocks: 'blocks',
  bounce_drops: 'repeat_bounces',
  bounces: 'bounces',
  clicks: 'clicks',
  deferred: 'deferred',
  delivered: 'delivered',
  invalid_emails: 'invalid_email',
  opens: 'opens',
  processed: 'processed',
  requests: 'requests',
  spam_report_drops: 'repeat_spamreports',
  spam_reports: 'spamreports',
  unique_clicks: 'unique_clicks',
  unique_opens: 'unique_opens',
  unsubscribe_drops: 'repeat_unsubscribes',
  unsubscribes: 'unsubscribes',
};

export interface V3MetricOptions {
  /** Leave machine opens (Apple Mail Privacy Protection and the like) out of `opens`. */
  excludeMachineOpens: boolean;
}

/**
 * A stored row (a day, or the sum of a bucket's days) as v3 metrics. With machine opens
 * excluded, `opens` is exact (opens − machine_opens). `unique_opens` cannot be split exactly:
 * the rollups count each message once, on the day of its first open, without recording whether
 * that open was a machine's. It is therefore kept as stored but never above the adjusted
 * `opens` — an estimate that keeps the unique open rate at or below the open rate.
 */
export function toV3Metrics(row: MetricRow, options: V3MetricOptions): V3Metrics {
  const out = {} as V3Metrics;
  for (const m of V3_METRICS) out[m] = row[SOURCE[m]];
  if (options.excludeMachineOpens) {
    out.opens = Math.max(0, row.opens - row.machine_opens);
    out.unique_opens = Math.min(row.unique_opens, out.opens);
  }
  return out;
}

/** The stored metrics a v3 metric is computed from (with or without machine opens). */
export function sourcesOf(metric: V3Metric): Metric[] {
  return metric === 'opens' || metric === 'unique_opens' ? ['opens', 'machine_opens', 'unique_opens'] : [SOURCE[metric]];
}

export function isV3Metric(name: string): name is V3Metric {
  return (V3_METRICS as readonly string[]).includes(name);
}
