// PostgreSQL failures sorted into "the database is the problem, retry later" (503) and the rest.
import { AlreadyExistsError, StorageUnavailableError } from '../domain/errors.js';

// SQLSTATE classes/codes that mean the server, not the request, is at fault:
// 08 connection exception, 53 insufficient resources, 57P0x shutdown / cannot connect now,
// 57014 query cancelled (statement_timeout), 40001/40P01 serialization failure / deadlock,
// 58 system error; and the database itself gone or not (yet) restored — 3D000 no such
// database (dropped, or a restore under way), 42P01 no such table (an empty database put in its
// place), 28xxx the server refuses our role or password. None is the client's doing, and a
// webhook sender must retry each of them: all are 503, never 500.
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P0.|57014|40001|40P01|58...|3D000|42P01|28...)$/;
const UNAVAILABLE_NODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// node-postgres reports a dropped or timed-out connection by message only.
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|connection is closed|Client was closed/i;

export function translatePgError(err: unknown): unknown {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === '23505') return new AlreadyExistsError(String(e.message));
  // The server's own words (e.g. `database "x" does not exist`) go to logs and CLI output, which
  // need them to be acted on; HTTP answers only ever carry the fixed storage message.
  if (UNAVAILABLE_SQLSTATE.test(code)) return new StorageUnavailableError(`postgres ${code}${typeof e.message === 'string' ? `: ${e.message}` : ''}`);
  if (UNAVAILABLE_NODE.has(code)) return new StorageUnavailableError(`postgres ${code}`);
  if (typeof e?.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return new StorageUnavailableError('postgres connection lost');
  return err;
}
