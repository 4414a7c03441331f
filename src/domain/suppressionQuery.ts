// Parameters of the suppression list calls (SPEC section 9), v1 and v3. Pure: `now` passed in.
import { todayIn } from './calendar.js';
import { ApiError, badParam } from './errors.js';
import { type Params, ParamErrors, has, single } from './params.js';
import { parseRange } from './ranges.js';
import { normalizeAddress } from './suppression.js';

export interface CreatedRange {
  /** unix seconds, inclusive */
  from?: number;
  to?: number;
}

const DAY_SECONDS = 86_400;
const DECIMAL = /^[0-9]{1,15}$/;

/** v1 `days` / `start_date` / `end_date` (section 3's date rules) as a `created` range; none = the whole list. */
export function v1CreatedRange(params: Params, now: Date): CreatedRange {
  if (!has(params, 'days') && !has(params, 'start_date') && !has(params, 'end_date')) return {};
  const errors = new ParamErrors();
  // `created` is shown in UTC, so the days that filter it are UTC days too.
  const range = parseRange(params, todayIn('UTC', now), errors);
  errors.throwIfAny();
  if (!range) throw new Error('unreachable: range missing without errors');
  return { from: range.from * DAY_SECONDS, to: (range.to + 1) * DAY_SECONDS - 1 };
}

/** v1 `date`: 1 adds the timestamps; absent or empty (the pages' own examples send `date=`) does not. */
export function v1WantsDates(params: Params): boolean {
  const errors = new ParamErrors();
  const value = single(params, 'date', errors);
  errors.throwIfAny();
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw badParam('date', 'must be 1');
}

/** A required address parameter, in its stored form. */
export function addressParam(params: Params, name = 'email'): string {
  const errors = new ParamErrors();
  const value = single(params, name, errors);
  errors.throwIfAny();
  if (value === undefined || value.trim() === '') throw badParam(name, 'is required');
  return normalizeAddress(value) ?? throwBad(name, 'is not an email address');
}

const throwBad = (name: string, what: string): never => {
  throw badParam(name, what);
};

/** SendGrid's page size cap on every /v3/suppression list. */
export const V3_MAX_LIMIT = 500;

export interface V3ListQuery extends CreatedRange {
  limit: number;
  offset: number;
}

function integer(params: Params, name: string, min: number, max: number, errors: ParamErrors): number | undefined {
  const value = single(params, name, errors);
  if (value === undefined) return undefined;
  const n = DECIMAL.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) {
    errors.add(name, `must be an integer from ${min} to ${max}`);
    return undefined;
  }
  return n;
}

/** v3 GET `start_time` / `end_time` (unix seconds, inclusive), `limit` (1–500, default 500), `offset`. */
export function parseV3ListQuery(params: Params): V3ListQuery {
  const errors = new ParamErrors();
  const from = integer(params, 'start_time', 0, Number.MAX_SAFE_INTEGER, errors);
  const to = integer(params, 'end_time', 0, Number.MAX_SAFE_INTEGER, errors);
  const limit = integer(params, 'limit', 1, V3_MAX_LIMIT, errors) ?? V3_MAX_LIMIT;
  const offset = integer(params, 'offset', 0, Number.MAX_SAFE_INTEGER, errors) ?? 0;
  if (from !== undefined && to !== undefined && from > to) errors.add('start_time', 'must not be after end_time');
  errors.throwIfAny();
  const q: V3ListQuery = { limit, offset };
  if (from !== undefined) q.from = from;
  if (to !== undefined) q.to = to;
  return q;
}

/** Most addresses one v3 `emails` delete may name: the body stays small and the statement bounded. */
export const MAX_DELETE_EMAILS = 1_000;

/** A v3 DELETE body: `{"delete_all": true}` or `{"emails": [...]}`, never both. */
export function parseV3DeleteBody(body: unknown): 'all' | string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError('bad_request', ['error in body: must be a JSON object with delete_all or emails']);
  const b = body as Record<string, unknown>;
  const all = b.delete_all;
  const emails = b.emails;
  if (all !== undefined && typeof all !== 'boolean') throw badParam('delete_all', 'must be a boolean');
  if (all === true && emails !== undefined) throw badParam('delete_all', 'cannot be combined with emails');
  if (all === true) return 'all';
  if (emails === undefined) throw badParam('emails', 'is required unless delete_all is true');
  if (!Array.isArray(emails) || emails.some((e) => typeof e !== 'string')) throw badParam('emails', 'must be an array of strings');
  if (emails.length > MAX_DELETE_EMAILS) throw badParam('emails', `at most ${MAX_DELETE_EMAILS} addresses per request`);
  const out: string[] = [];
  for (const e of emails as string[]) {
    const email = normalizeAddress(e);
    if (email === null) throw badParam('emails', `not an email address: ${JSON.stringify(e.slice(0, 100))}`);
    out.push(email);
  }
  return out;
}

/** `created` in the legacy API: MySQL's `YYYY-MM-DD HH:MM:SS`, UTC. */
export function mysqlTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
