// PostgreSQL failures sorted into "the database is the problem, retry later" (503) and the rest.
import { AlreadyExistsError, StorageUnavailableError } from '../domain/errors.js';

// SQLSTATE classes/codes that mean the server, not the request, is at fault:
// 08 connection exception, 53 insufficient resources, 57P0x shutdown / cannot connect now,
// 57014 query cancelled (statement_timeout), 40001/40P01 serialization failure / deadlock.
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P0.|57014|40001|40P01|58...)$/;
const UNAVAILABLE_NODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// node-postgres reports a dropped or timed-out connection by message only.
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|connection is closed|Client was closed/i;

export function translatePgError(err: unknown): unknown {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === '23505') return new AlreadyExistsError(String(e.message));
  if (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE.has(code)) return new StorageUnavailableError(`postgres ${code}`);
  if (typeof e?.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return new StorageUnavailableError('postgres connection lost');
  return err;
}
