// The bodies and query of /v3/subusers (SPEC section 9; SendGrid's tsg_subusers_v3 OpenAPI),
// checked with the same `error in <field>: <what>` messages as everywhere else; the v3 error
// handler turns them into {"errors":[{"field","message"}]}. Pure.
import { MAX_PASSWORD, MIN_PASSWORD, PROFILE_LIMITS, isEmail, usernameProblem } from './customerProfile.js';
import { isValidTimeZone } from './calendar.js';
import { ApiError } from './errors.js';
import { type Params, ParamErrors, single } from './params.js';
import { isIP } from 'node:net';

export interface SubuserCreate {
  username: string;
  email: string;
  password: string;
  timezone: string;
}

const notAnObject = (): ApiError => new ApiError('bad_request', ['error in body: must be a JSON object']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringField(body: Record<string, unknown>, name: string, errors: ParamErrors): string | undefined {
  const v = body[name];
  if (v === undefined || v === null || v === '') return errors.add(name, 'is required'), undefined;
  if (typeof v !== 'string') return errors.add(name, 'must be a string'), undefined;
  return v;
}

/** POST /v3/subusers: username, email, password required; ips checked and not stored; timezone ours. */
export function parseSubuserCreate(body: unknown, { emailRequired = true }: { emailRequired?: boolean } = {}): SubuserCreate {
  if (!isObject(body)) throw notAnObject();
  const errors = new ParamErrors();
  const username = stringField(body, 'username', errors);
  if (username !== undefined) {
    const problem = usernameProblem(username);
    if (problem) errors.add('username', problem);
  }
  // The dashboard's form asks for no contact address; the API requires one, as SendGrid's does.
  const email = emailRequired || (body.email !== undefined && body.email !== '') ? stringField(body, 'email', errors) : '';
  if (email !== undefined && email !== '' && (!isEmail(email) || email.length > PROFILE_LIMITS.email)) errors.add('email', `must be an email address of at most ${PROFILE_LIMITS.email} characters`);
  const password = stringField(body, 'password', errors);
  if (password !== undefined && (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD)) errors.add('password', `must be ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`);
  // Sending IPs mean nothing to a statistics server: optional, and only checked for shape.
  const ips = body.ips;
  if (ips !== undefined && (!Array.isArray(ips) || ips.length > 1000 || ips.some((ip) => typeof ip !== 'string' || isIP(ip) === 0))) errors.add('ips', 'must be an array of IP addresses');
  let timezone = 'UTC';
  if (body.timezone !== undefined) {
    if (typeof body.timezone !== 'string' || body.timezone.length > 100 || !isValidTimeZone(body.timezone)) errors.add('timezone', 'must be an IANA time zone name such as Europe/Berlin');
    else timezone = body.timezone;
  }
  errors.throwIfAny();
  return { username: username as string, email: email as string, password: password as string, timezone };
}

/** PATCH /v3/subusers/{name}: {"disabled": true|false}. */
export function parseSubuserPatch(body: unknown): boolean {
  if (!isObject(body)) throw notAnObject();
  if (body.disabled === undefined) throw new ApiError('bad_request', ['no fields provided']);
  if (typeof body.disabled !== 'boolean') throw new ApiError('bad_request', ['error in disabled: must be true or false']);
  return body.disabled;
}

/** Page size when `limit` is absent, and the most one page may hold. */
export const SUBUSER_LIMITS = { default: 100, max: 500 } as const;
const MAX_OFFSET = 100_000_000;

export interface SubuserListQuery {
  username?: string;
  limit: number;
  offset: number;
}

function integer(params: Params, name: string, errors: ParamErrors, min: number, max: number): number | undefined {
  const text = single(params, name, errors);
  if (text === undefined) return undefined;
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) < min || Number(text) > max) return errors.add(name, `must be an integer from ${min} to ${max}`), undefined;
  return Number(text);
}

/** GET /v3/subusers: username (exact), limit, offset; region and include_region are ignored. */
export function parseSubuserList(params: Params): SubuserListQuery {
  const errors = new ParamErrors();
  const username = single(params, 'username', errors);
  const limit = integer(params, 'limit', errors, 1, SUBUSER_LIMITS.max) ?? SUBUSER_LIMITS.default;
  const offset = integer(params, 'offset', errors, 0, MAX_OFFSET) ?? 0;
  errors.throwIfAny();
  return { username: username === '' ? undefined : username, limit, offset };
}
