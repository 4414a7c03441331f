// The v2 reseller call's rows (/apiv2/reseller.manage.*): the extended metric set, in the field
// orders SendGrid's v2 documentation prints. Those orders differ between row kinds, and the
// category rows name the block count `blocked` and add `spam_drop`; both kept as documented.
import type { Metric } from './metrics.js';

/** An output field and the stored metric it shows. */
export type V2Field = readonly [name: string, metric: Metric];

const same = (m: Metric): V2Field => [m, m];

/** Daily rows after `date`; the aggregate has exactly these, without `date`. */
export const V2_DAILY_FIELDS: readonly V2Field[] = [
  same('requests'),
  same('delivered'),
  same('bounces'),
  same('repeat_bounces'),
  same('unsubscribes'),
  same('repeat_unsubscribes'),
  same('clicks'),
  same('opens'),
  same('spamreports'),
  same('repeat_spamreports'),
  same('invalid_email'),
  same('blocks'),
  same('unique_clicks'),
  same('unique_opens'),
];

/** Every stored metric a v2 row shows (what the store needs to read). */
export const V2_METRICS: readonly Metric[] = [...new Set([...V2_DAILY_FIELDS.map(([, m]) => m), 'spam_drop' as const])];

/** Category rows: `category` first and `date` in the middle, where SendGrid put them. */
export type V2CategoryField = V2Field | 'category' | 'date';

export const V2_CATEGORY_FIELDS: readonly V2CategoryField[] = [
  'category',
  same('delivered'),
  same('unsubscribes'),
  same('invalid_email'),
  same('bounces'),
  same('repeat_unsubscribes'),
  same('unique_clicks'),
  ['blocked', 'blocks'],
  same('spam_drop'),
  same('repeat_bounces'),
  same('repeat_spamreports'),
  'date',
  same('requests'),
  same('spamreports'),
  same('clicks'),
  same('opens'),
  same('unique_opens'),
];
