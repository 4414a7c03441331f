// The arithmetic of one ingest batch, independent of the database: which events count, how
// first-open/first-click markers move, and the per-day and per-category-day increments that the
// store then upserts in one go (one statement per touched row instead of one per event).
import type { NormalizedEvent } from './events.js';
import { type Metric, type MetricRow, zeroMetrics } from './metrics.js';
import { type SuppressionRow, suppressionKey } from './suppression.js';

/** The earliest open (or click) seen of one message. */
export interface Marker {
  timestamp: number;
  day: number;
  categories: string[];
}

/** Marker map key: kind + hex message hash. */
export function markerKey(kind: 'open' | 'click', message: Buffer): string {
  return `${kind}:${message.toString('hex')}`;
}

/** The provider of events that name none: SendGrid's own webhook and imports. */
export const DEFAULT_PROVIDER = 'sendgrid';

export class Tally {
  readonly daily = new Map<number, MetricRow>();
  readonly byCategory = new Map<string, Map<number, MetricRow>>();
  readonly byProvider = new Map<string, Map<number, MetricRow>>();

  bump(day: number, categories: readonly string[], metric: Metric, delta: number, provider: string = DEFAULT_PROVIDER): void {
    rowOf(this.daily, day)[metric] += delta;
    let providerDays = this.byProvider.get(provider);
    if (!providerDays) this.byProvider.set(provider, (providerDays = new Map()));
    rowOf(providerDays, day)[metric] += delta;
    for (const c of categories) {
      let days = this.byCategory.get(c);
      if (!days) this.byCategory.set(c, (days = new Map()));
      rowOf(days, day)[metric] += delta;
    }
  }
}

function rowOf(map: Map<number, MetricRow>, day: number): MetricRow {
  let row = map.get(day);
  if (!row) map.set(day, (row = zeroMetrics()));
  return row;
}

export interface BatchPlan {
  tally: Tally;
  /** Markers created or moved to an earlier event, to be written back. */
  markers: Map<string, Marker>;
  /** Every category named by a counted event, even one that bumps no metric. */
  categories: Set<string>;
  /** Suppression list rows to upsert: one per list and address named by a counted event. */
  suppressions: Map<string, SuppressionRow>;
}

/**
 * @param fresh     the events not seen before (duplicates already removed), in arrival order
 * @param markers   live markers already stored for the messages these events touch
 */
export function planBatch(fresh: readonly NormalizedEvent[], markers: ReadonlyMap<string, Marker>): BatchPlan {
  const tally = new Tally();
  const current = new Map(markers);
  const changed = new Map<string, Marker>();
  const categories = new Set<string>();
  const suppressions = new Map<string, SuppressionRow>();
  for (const e of fresh) {
    const provider = e.provider ?? DEFAULT_PROVIDER;
    for (const c of e.categories) categories.add(c);
    if (e.suppression) addSuppression(suppressions, e.suppression, e.timestamp);
    for (const m of e.metrics) tally.bump(e.day, e.categories, m, 1, provider);
    if (!e.unique) continue;
    const key = markerKey(e.unique.kind, e.unique.message);
    const metric: Metric = e.unique.kind === 'open' ? 'unique_opens' : 'unique_clicks';
    const seen = current.get(key);
    if (seen && seen.timestamp <= e.timestamp) continue;
    // Counted on the day of the earliest one, whatever order they arrive in: an earlier
    // event moves the unique count from the old marker's day (and categories) to its own. A
    // message's events all come from one provider (provider units are prefixed with its name).
    if (seen) tally.bump(seen.day, seen.categories, metric, -1, provider);
    tally.bump(e.day, e.categories, metric, 1, provider);
    const marker = { timestamp: e.timestamp, day: e.day, categories: e.categories };
    current.set(key, marker);
    changed.set(key, marker);
  }
  return { tally, markers: changed, categories, suppressions };
}

/** An address named several times in a batch: first and last time, the latest event's detail. */
function addSuppression(rows: Map<string, SuppressionRow>, add: NonNullable<NormalizedEvent['suppression']>, timestamp: number): void {
  const key = suppressionKey(add.list, add.email);
  const seen = rows.get(key);
  if (!seen) {
    rows.set(key, { ...add, firstAdded: timestamp, created: timestamp });
    return;
  }
  seen.firstAdded = Math.min(seen.firstAdded, timestamp);
  if (timestamp >= seen.created) {
    seen.created = timestamp;
    seen.status = add.status;
    seen.reason = add.reason;
  }
}
