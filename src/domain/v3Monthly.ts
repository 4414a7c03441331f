// GET /v3/subusers/stats/monthly (SendGrid's "retrieve monthly stats for all subusers"): the
// sums call for one calendar month. `date` (required, YYYY-MM-DD) names the month by any of
// its days — SendGrid's examples send the 1st; `subuser` filters usernames by substring
// (case-sensitive, as usernames are matched everywhere else); sort and paging as the sums call.
// Pure: `today` is passed in.
import { ApiError } from './errors.js';
import { type Params, ParamErrors, single } from './params.js';
import { formatDay, parseDay } from './calendar.js';
import { type V3Sums, sortAndPage } from './v3Query.js';

const MS_PER_DAY = 86_400_000;

export interface V3Monthly extends V3Sums {
  /** Only usernames containing this; undefined for all. */
  subuser: string | undefined;
}

export function parseV3Monthly(params: Params, today: number): V3Monthly {
  const errors = new ParamErrors();
  const order = sortAndPage(params, errors);
  const subuser = single(params, 'subuser', errors);
  const text = single(params, 'date', errors);
  let range: { from: number; to: number } | undefined;
  if (text === undefined) errors.add('date', 'is required (a day of the month, YYYY-MM-DD)');
  else {
    const day = parseDay(text);
    if (day === null) errors.add('date', 'must be a date in YYYY-MM-DD format');
    else {
      const d = new Date(day * MS_PER_DAY);
      const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / MS_PER_DAY;
      const last = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0) / MS_PER_DAY;
      // The current month runs up to today; a month that has not begun is an error, as a
      // future end_date is elsewhere.
      if (first > today) errors.add('date', `must not be in a month after today's (${formatDay(today)})`);
      else range = { from: first, to: Math.min(last, today) };
    }
  }
  errors.throwIfAny();
  if (!range) throw new ApiError('bad_request', ['error in date: is required']);
  return { range, aggregatedBy: 'day', excludeMachineOpens: false, ...order, subuser: subuser === '' ? undefined : subuser };
}
