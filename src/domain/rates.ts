// The dashboard's rates, each a share of the messages it can apply to: delivery and bounces of
// what was requested, opens/clicks/spam reports of what was delivered. Unique opens and clicks
// (one per message) keep the open and click rates at or below 100 %. Null when the base is 0.
import type { MetricRow } from './metrics.js';

export interface Rates {
  delivered_rate: number | null;
  open_rate: number | null;
  click_rate: number | null;
  bounce_rate: number | null;
  spam_rate: number | null;
}

export const RATE_NAMES = ['delivered_rate', 'open_rate', 'click_rate', 'bounce_rate', 'spam_rate'] as const;

const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

export function ratesOf(row: MetricRow): Rates {
  return {
    delivered_rate: share(row.delivered, row.requests),
    open_rate: share(row.unique_opens, row.delivered),
    click_rate: share(row.unique_clicks, row.delivered),
    bounce_rate: share(row.bounces, row.requests),
    spam_rate: share(row.spamreports, row.delivered),
  };
}
