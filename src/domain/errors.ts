// One catalogue of client-facing errors. Everything a client can get wrong becomes an ApiError;
// the HTTP layer renders it in the endpoint's envelope and never adds internals.

export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'internal'
  | 'unavailable';

const STATUS: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
};

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly kind: ErrorKind,
    readonly messages: string[],
    /** Sent as Retry-After (seconds) with 429 and 503. */
    readonly retryAfterSeconds?: number,
  ) {
    super(messages.join('; '));
    this.status = STATUS[kind];
  }
}

/** `error in <param>: <what is wrong>`, the legacy API's wording. */
export function paramMessage(param: string, what: string): string {
  return `error in ${param}: ${what}`;
}

export function badParam(param: string, what: string): ApiError {
  return new ApiError('bad_request', [paramMessage(param, what)]);
}

export const BAD_CREDENTIALS = 'Bad username / password';
export const USER_NOT_FOUND = paramMessage('user', 'user not found');

export const unauthorized = (): ApiError => new ApiError('unauthorized', [BAD_CREDENTIALS]);
export const tooManyAttempts = (retryAfterSeconds: number): ApiError =>
  new ApiError('too_many_requests', ['Too many failed authentication attempts; retry later'], retryAfterSeconds);
export const userNotFound = (): ApiError => new ApiError('bad_request', [USER_NOT_FOUND]);

/** Raised by a store when the database cannot be reached; the sender should retry. */
export class StorageUnavailableError extends Error {}

/** Raised by a store on a unique-key clash (reseller or customer already exists). */
export class AlreadyExistsError extends Error {}
