// Grouping of days for the v3 API's `aggregated_by`. Days are epoch-day integers that already
// are calendar dates in the customer's time zone (calendar.ts), so grouping is pure calendar
// arithmetic: a DST change cannot move a day into another week or month.
import type { DayRange } from './ranges.js';

export const AGGREGATIONS = ['day', 'week', 'month'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** A bucket of consecutive days; `from` is its first day inside the requested range. */
export type Bucket = DayRange;

const MS_PER_DAY = 86_400_000;

/** The Monday on or before `day` (1970-01-01, epoch day 0, was a Thursday). */
export function weekStart(day: number): number {
  const sinceMonday = (((day + 3) % 7) + 7) % 7;
  return day - sinceMonday;
}

/** The first of the month holding `day`. */
export function monthStart(day: number): number {
  const date = new Date(day * MS_PER_DAY);
  return day - (date.getUTCDate() - 1);
}

/** The first day of the next period after the one holding `day`. */
function nextStart(day: number, by: Aggregation): number {
  if (by === 'day') return day + 1;
  if (by === 'week') return weekStart(day) + 7;
  const date = new Date(day * MS_PER_DAY);
  // setUTCMonth rolls December over into January of the next year.
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + 1);
  return Math.round(date.getTime() / MS_PER_DAY);
}

/**
 * The buckets covering `range`, ascending. Weeks start on Monday, months on the 1st; the first
 * and last buckets are cut to the range, so each is dated by its first day inside it.
 */
export function bucketsOf(range: DayRange, by: Aggregation): Bucket[] {
  const out: Bucket[] = [];
  for (let from = range.from; from <= range.to; ) {
    const next = nextStart(from, by);
    out.push({ from, to: Math.min(next - 1, range.to) });
    from = next;
  }
  return out;
}
