// Date ranges of the statistics calls (SPEC section 3, "Date rules"). `today` is passed in,
// already computed in the customer's time zone.
import { formatDay, parseDay } from './calendar.js';
import { type Params, ParamErrors, single } from './params.js';

export const MAX_RANGE_DAYS = 1095;

export interface DayRange {
  from: number;
  to: number;
}

const DECIMAL = /^[0-9]+$/;

export function parseRange(params: Params, today: number, errors: ParamErrors): DayRange | undefined {
  const days = single(params, 'days', errors);
  const start = single(params, 'start_date', errors);
  const end = single(params, 'end_date', errors);
  if (!errors.empty) return undefined;

  if (days !== undefined) {
    if (start !== undefined || end !== undefined) {
      errors.add('days', 'cannot be combined with start_date or end_date');
      return undefined;
    }
    const n = DECIMAL.test(days) ? Number(days) : NaN;
    if (!(n >= 1 && n <= MAX_RANGE_DAYS)) {
      errors.add('days', `must be an integer from 1 to ${MAX_RANGE_DAYS}`);
      return undefined;
    }
    return { from: today - (n - 1), to: today };
  }

  if (start === undefined) {
    if (end !== undefined) {
      errors.add('end_date', 'requires start_date');
      return undefined;
    }
    return { from: today, to: today };
  }

  const from = parseDay(start);
  if (from === null) errors.add('start_date', 'must be a date in YYYY-MM-DD format');
  const to = end === undefined ? today : parseDay(end);
  if (to === null) errors.add('end_date', 'must be a date in YYYY-MM-DD format');
  if (from === null || to === null) return undefined;

  if (to > today) errors.add('end_date', `must not be after today (${formatDay(today)})`);
  else if (from > to) errors.add('start_date', end === undefined ? `must not be after today (${formatDay(today)})` : 'must not be after end_date');
  else if (to - from + 1 > MAX_RANGE_DAYS) errors.add('start_date', `the range may cover at most ${MAX_RANGE_DAYS} days`);
  return errors.empty ? { from, to } : undefined;
}

export function* daysOf(range: DayRange): Generator<number> {
  for (let d = range.from; d <= range.to; d++) yield d;
}
