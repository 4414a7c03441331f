// v3 query parameters → typed queries (pure; `today` is passed in). Dates follow the v1 rules
// (ranges.ts) except that start_date is required and `days` does not exist. Problems are
// collected as `error in <param>: <what>` like everywhere else; the v3 layer turns each into
// SendGrid's {"field","message"}.
import { AGGREGATIONS, type Aggregation } from './buckets.js';
import { ApiError } from './errors.js';
import { type Params, ParamErrors, has, single } from './params.js';
import { type DayRange, parseRange } from './ranges.js';
import { V3_METRICS, type V3Metric, isV3Metric } from './v3Metrics.js';

/** SendGrid: "up to 10" subusers or categories per request. */
export const MAX_V3_NAMES = 10;
/** SendGrid documents a default of 5 for the sums; it does not document a maximum. */
export const DEFAULT_LIMIT = 5;
export const MAX_LIMIT = 500;
export const MAX_OFFSET = 1_000_000;

export interface V3Series {
  range: DayRange;
  aggregatedBy: Aggregation;
  excludeMachineOpens: boolean;
}

export interface V3Sums extends V3Series {
  sortBy: V3Metric;
  direction: 'asc' | 'desc';
  limit: number;
  offset: number;
}

const DECIMAL = /^[0-9]+$/;

function oneOf<T extends string>(params: Params, name: string, allowed: readonly T[], fallback: T, what: string, errors: ParamErrors): T {
  const value = single(params, name, errors);
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  errors.add(name, what);
  return fallback;
}

function integer(params: Params, name: string, min: number, max: number, fallback: number, errors: ParamErrors): number {
  const value = single(params, name, errors);
  if (value === undefined) return fallback;
  const n = DECIMAL.test(value) ? Number(value) : NaN;
  if (n >= min && n <= max) return n;
  errors.add(name, `must be an integer from ${min} to ${max}`);
  return fallback;
}

/** The messages collected so far, leaving `errors` as it was. */
function messagesOf(errors: ParamErrors): string[] {
  try {
    errors.throwIfAny();
    return [];
  } catch (err) {
    return (err as ApiError).messages;
  }
}

/**
 * The parameters every v3 call shares. Every problem is listed, the date rules' included:
 * those run on their own collector because parseRange stops early when handed earlier errors.
 */
function series(params: Params, today: number, errors: ParamErrors): V3Series {
  const aggregatedBy = oneOf(params, 'aggregated_by', AGGREGATIONS, 'day', 'must be day, week or month', errors);
  const machine = oneOf(params, 'exclude_machine_opens', ['true', 'false', '1', '0'], 'false', 'must be true or false', errors);
  const dateErrors = new ParamErrors();
  let range: DayRange | undefined;
  if (!has(params, 'start_date')) dateErrors.add('start_date', 'is required');
  else {
    // Only the two v3 date parameters reach the v1 rules, so a stray `days` is simply ignored.
    const dates = new Map<string, readonly string[]>();
    for (const p of ['start_date', 'end_date']) if (params.has(p)) dates.set(p, params.get(p) as readonly string[]);
    range = parseRange(dates, today, dateErrors);
  }
  const messages = [...messagesOf(errors), ...messagesOf(dateErrors)];
  if (messages.length > 0 || !range) throw new ApiError('bad_request', messages);
  return { range, aggregatedBy, excludeMachineOpens: machine === 'true' || machine === '1' };
}

/** /v3/stats, /v3/subusers/stats, /v3/categories/stats. */
export function parseV3Series(params: Params, today: number): V3Series {
  const errors = new ParamErrors();
  return series(params, today, errors);
}

/** The two …/stats/sums calls. `aggregated_by` is checked but, as a sum, changes nothing. */
export function parseV3Sums(params: Params, today: number): V3Sums {
  const errors = new ParamErrors();
  const order = sortAndPage(params, errors);
  const q = series(params, today, errors);
  return { ...q, ...order };
}

/** The sort and paging parameters of the sums calls (and of /v3/subusers/stats/monthly). */
export function sortAndPage(params: Params, errors: ParamErrors): Pick<V3Sums, 'sortBy' | 'direction' | 'limit' | 'offset'> {
  const sortBy = single(params, 'sort_by_metric', errors) ?? 'delivered';
  if (!isV3Metric(sortBy)) errors.add('sort_by_metric', `must be one of ${V3_METRICS.join(', ')}`);
  const direction = oneOf(params, 'sort_by_direction', ['asc', 'desc'] as const, 'desc', 'must be asc or desc', errors);
  const limit = integer(params, 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT, errors);
  const offset = integer(params, 'offset', 0, MAX_OFFSET, 0, errors);
  return { sortBy: sortBy as V3Metric, direction, limit, offset };
}

/**
 * mailtally's extension of /v3/stats: `group_by=provider` splits a subuser's series by the
 * provider its events came through. Absent = SendGrid's own answer (one line per date).
 */
export function parseGroupBy(params: Params): 'provider' | undefined {
  const errors = new ParamErrors();
  const value = single(params, 'group_by', errors);
  if (value !== undefined && value !== 'provider') errors.add('group_by', 'must be provider (the only grouping, a mailtally extension)');
  errors.throwIfAny();
  return value === undefined ? undefined : 'provider';
}

/**
 * A list parameter (`subusers`, `categories`): repeated keys or `name[]` (params.ts merges
 * both). Distinct names in the order first given, 1 to MAX_V3_NAMES of them; names are exact
 * and case-sensitive, and never split at commas (a category may contain one).
 */
export function parseNameList(params: Params, name: string): string[] {
  const errors = new ParamErrors();
  const names = [...new Set(params.get(name) ?? [])];
  if (names.length === 0) errors.add(name, 'is required');
  else if (names.length > MAX_V3_NAMES) errors.add(name, `at most ${MAX_V3_NAMES} per request`);
  errors.throwIfAny();
  return names;
}
