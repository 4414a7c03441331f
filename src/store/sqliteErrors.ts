// SQLite errors as the domain's: a constraint is "already exists", a busy or broken database is
// "unavailable" (the client should retry); anything else is a bug and stays as it is.
import { AlreadyExistsError, StorageUnavailableError } from '../domain/errors.js';

// Codes that mean "the database, not the request, is the problem": the client should retry.
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|PROTOCOL|NOMEM)/;

export function translated(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_CONSTRAINT')) return new AlreadyExistsError((err as Error).message);
    if (UNAVAILABLE.test(code)) return new StorageUnavailableError(code);
  }
  return err;
}

/** Runs `fn` (synchronous SQLite work) and settles with its result or its translated error. */
export function guard<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(translated(err));
  }
}
