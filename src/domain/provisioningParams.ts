// The parameters of the v1 provisioning calls (SPEC section 9, the original page
// customer_management.md), checked as documented. Pure: `today` comes in. Every problem of a
// request is reported in one answer, each as `error in <param>: <what>`.
import { isIP } from 'node:net';
import { formatDay, isValidTimeZone, parseDay } from './calendar.js';
import { MAX_PASSWORD, MIN_PASSWORD, PROFILE_LIMITS, type Profile, SEARCHABLE_FIELDS, type SearchableField, type TextField, hasControl, isEmail, usernameProblem } from './customerProfile.js';
import { ApiError } from './errors.js';
import { type Params, ParamErrors, single } from './params.js';

// The documented example call sends these; company, package and whitelabel (required by the
// table, absent from its own example, and meaningless to a statistics server) are optional.
const REQUIRED_PROFILE: readonly TextField[] = ['email', 'first_name', 'last_name', 'address', 'city', 'state', 'zip', 'country', 'phone', 'website'];
const OPTIONAL_PROFILE: readonly TextField[] = ['company', 'package', 'whitelabel'];

export interface AddRequest {
  username: string;
  password: string;
  timezone: string;
  profile: Partial<Profile>;
}

function text(params: Params, name: string, errors: ParamErrors, max: number, required: boolean): string | undefined {
  const value = single(params, name, errors);
  if (value === undefined || value === '') {
    if (required && value === undefined) errors.add(name, 'is required');
    else if (required) errors.add(name, 'must not be empty');
    return value === '' && !required ? '' : undefined;
  }
  if (value.length > max) errors.add(name, `must be no more than ${max} characters`);
  else if (hasControl(value)) errors.add(name, 'must not contain control characters');
  return value;
}

/** password + confirm_password, as distributor.add and method=password take them. */
export function passwordPair(params: Params, errors: ParamErrors): string | undefined {
  const password = single(params, 'password', errors);
  const confirm = single(params, 'confirm_password', errors);
  if (password === undefined) errors.add('password', 'is required');
  else if (password.length < MIN_PASSWORD) errors.add('password', `must be at least ${MIN_PASSWORD} characters`);
  else if (password.length > MAX_PASSWORD) errors.add('password', `must be no more than ${MAX_PASSWORD} characters`);
  if (confirm === undefined) errors.add('confirm_password', 'is required');
  else if (password !== undefined && confirm !== password) errors.add('confirm_password', 'must match password');
  return password;
}

export function timezoneParam(params: Params, errors: ParamErrors): string {
  const tz = single(params, 'timezone', errors);
  if (tz === undefined || tz === '') return 'UTC';
  if (tz.length > 100 || !isValidTimeZone(tz)) errors.add('timezone', 'must be an IANA time zone name such as Europe/Berlin');
  return tz;
}

export function usernameParam(params: Params, name: string, errors: ParamErrors): string | undefined {
  const value = single(params, name, errors);
  if (value === undefined) return errors.add(name, 'is required'), undefined;
  if (value === '') return errors.add(name, 'must not be empty'), undefined;
  const problem = usernameProblem(value);
  if (problem) errors.add(name, problem);
  return value;
}

/** A real date from today up to the same day next month (one billing cycle), YYYY-MM-DD. */
function billingDate(value: string, today: number, errors: ParamErrors): void {
  const day = parseDay(value);
  if (day === null) return errors.add('billing_date', 'must be a date in YYYY-MM-DD format');
  const [y, m, d] = formatDay(today).split('-').map(Number) as [number, number, number];
  // The same day of next month (`m` is 1-based, Date.UTC's month 0-based), or its last day.
  const daysInNext = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const last = Date.UTC(y, m, Math.min(d, daysInNext)) / 86_400_000;
  if (day < today || day > last) errors.add('billing_date', `must be within one billing cycle from today (${formatDay(today)} to ${formatDay(last)})`);
}

/** distributor.add: every documented requirement, all problems at once. */
export function parseAdd(params: Params, today: number): AddRequest {
  const errors = new ParamErrors();
  const username = usernameParam(params, 'username', errors);
  const password = passwordPair(params, errors);
  const profile: Partial<Profile> = {};
  for (const f of REQUIRED_PROFILE) profile[f] = text(params, f, errors, PROFILE_LIMITS[f], true);
  for (const f of OPTIONAL_PROFILE) profile[f] = text(params, f, errors, PROFILE_LIMITS[f], false);
  if (profile.email && !hasControl(profile.email) && !isEmail(profile.email)) errors.add('email', 'must be in email format');
  const free = single(params, 'free_user', errors);
  if (free !== undefined) {
    if (free === 'true' || free === 'false') profile.free_user = free;
    else errors.add('free_user', 'must be true or false');
  }
  const billing = single(params, 'billing_date', errors);
  if (billing !== undefined) {
    billingDate(billing, today, errors);
    profile.billing_date = billing;
  }
  // IP groups and IPs belong to sending, which mailtally does not do: checked, then not stored.
  for (const group of params.get('ip_group') ?? []) if (group.length > 255) errors.add('ip_group', 'must be no more than 255 characters each');
  for (const ip of params.get('ip') ?? []) if (isIP(ip) === 0) errors.add('ip', `must be valid IP addresses (${ip.slice(0, 64)} is not)`);
  const timezone = timezoneParam(params, errors);
  errors.throwIfAny();
  return { username: username as string, password: password as string, timezone, profile };
}

/** method=profile&task=get: the documented filters, exact matches. */
export interface ProfileFilters {
  filters: Partial<Record<SearchableField | 'username', string>>;
  active?: boolean;
}

export function parseProfileFilters(params: Params): ProfileFilters {
  const errors = new ParamErrors();
  const filters: ProfileFilters['filters'] = {};
  for (const f of ['username', ...SEARCHABLE_FIELDS] as const) {
    const v = single(params, f, errors);
    if (v !== undefined && v !== '') filters[f] = v;
  }
  const active = single(params, 'active', errors);
  let flag: boolean | undefined;
  if (active !== undefined && active !== '') {
    if (active === 'true' || active === '1') flag = true;
    else if (active === 'false' || active === '0') flag = false;
    else errors.add('active', 'must be true or false');
  }
  errors.throwIfAny();
  return { filters, active: flag };
}

/** method=profile&task=set: the documented fields, each optional, at least one. */
export function parseProfileSet(params: Params): Partial<Profile> {
  const errors = new ParamErrors();
  const fields: Partial<Profile> = {};
  for (const f of SEARCHABLE_FIELDS) {
    if (f === 'email') continue; // changed with task=setEmail, as documented
    const v = text(params, f, errors, PROFILE_LIMITS[f], false);
    if (v !== undefined) fields[f] = v;
  }
  errors.throwIfAny();
  if (Object.keys(fields).length === 0) throw new ApiError('bad_request', ['error in request: give at least one profile field to change']);
  return fields;
}

/** method=profile&task=setEmail: `email`, email format, at most 100 characters (as documented). */
export function parseSetEmail(params: Params): string {
  const errors = new ParamErrors();
  const email = text(params, 'email', errors, 100, true);
  if (email && !hasControl(email) && !isEmail(email)) errors.add('email', 'must be in email format');
  errors.throwIfAny();
  return email as string;
}
