// The Web API `stats.get` rows (SPEC section 8): 15 metrics in the key order of a real
// stats.get aggregate answer (research/sendgrid.md 4.3), which calls blocks `blocked`.
import type { Metric } from './metrics.js';
import type { V2Field } from './v2Fields.js';

const same = (m: Metric): V2Field => [m, m];

export const STATS_GET_FIELDS: readonly V2Field[] = [
  same('delivered'),
  same('unsubscribes'),
  same('invalid_email'),
  same('bounces'),
  same('repeat_unsubscribes'),
  same('unique_clicks'),
  same('spam_drop'),
  same('repeat_bounces'),
  same('repeat_spamreports'),
  ['blocked', 'blocks'],
  same('requests'),
  same('spamreports'),
  same('clicks'),
  same('opens'),
  same('unique_opens'),
];

/** The stored metrics a stats.get row shows (what the store needs to read). */
export const STATS_GET_METRICS: readonly Metric[] = STATS_GET_FIELDS.map(([, m]) => m);
