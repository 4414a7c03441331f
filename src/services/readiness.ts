// "Can this process serve?" — storage answers and its schema is the one the code expects. One
// rule for GET /readyz and `mailtally doctor`, so the two never disagree.
import { latestMigration } from '../store/migrations.js';
import type { Store } from '../store/types.js';

export interface SchemaStatus {
  ok: boolean;
  /** Highest migration applied to the database. */
  applied: number;
  /** Highest migration file this code ships. */
  expected: number;
  detail: string;
}

const expectedCache = new Map<Store['backend'], number>();

/** The schema version this code expects; the migration files do not change while it runs. */
export function expectedSchemaVersion(backend: Store['backend']): number {
  let v = expectedCache.get(backend);
  if (v === undefined) expectedCache.set(backend, (v = latestMigration(backend)));
  return v;
}

/**
 * Behind is not ready: the code would query tables or columns that do not exist yet. Ahead is
 * ready: migrations only add, and during a rolling upgrade the new processes migrate while the
 * old ones still serve — failing those would take every old process out of rotation at once.
 */
export function schemaStatus(applied: number, expected: number): SchemaStatus {
  if (applied < expected) {
    return { ok: false, applied, expected, detail: `database schema is at migration ${applied}, this mailtally needs ${expected}; migrations are applied when mailtally starts` };
  }
  const ahead = applied > expected ? ` (newer than this mailtally's ${expected})` : '';
  return { ok: true, applied, expected, detail: `schema at migration ${applied}${ahead}` };
}

/**
 * `subject`: what failed — the database itself, or its schema; `cause`: the storage error behind
 * a failure, for the log (never for the client).
 */
export type Readiness =
  | { ready: true; schema: SchemaStatus }
  | { ready: false; subject: 'storage' | 'migrations'; reason: string; cause?: unknown };

/** A probe must answer well inside a load balancer's timeout, even when a pool connect hangs. */
export const READINESS_TIMEOUT_MS = 3_000;

class ProbeTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Never throws: a failing store is an answer ("not ready"), not an error. */
export async function checkReadiness(store: Store, timeoutMs = READINESS_TIMEOUT_MS): Promise<Readiness> {
  let applied: number;
  try {
    applied = await withTimeout(store.schemaVersion(), timeoutMs);
  } catch (err) {
    const reason = err instanceof ProbeTimeout ? `did not answer within ${timeoutMs} ms` : 'is not reachable';
    return { ready: false, subject: 'storage', reason, cause: err };
  }
  const schema = schemaStatus(applied, expectedSchemaVersion(store.backend));
  return schema.ok ? { ready: true, schema } : { ready: false, subject: 'migrations', reason: schema.detail };
}
