// Reads a database's schema version without changing anything — no file or folder created, no
// migration applied — for `mailtally doctor`. Opening a Store would do both (every command
// migrates at open), and a diagnosis must not upgrade a production database as a side effect.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { translatePgError } from './pgErrors.js';
import { SCHEMA_VERSION_SQL } from './migrations.js';
import type { StoreLocation } from './index.js';

/** The database does not exist yet (a SQLite file that no command has created). */
export class DatabaseMissingError extends Error {}

const TIMEOUT_MS = 5_000;

function probeSqlite(path: string): number {
  // Checked first: better-sqlite3 reports a missing file and a missing folder differently.
  if (!existsSync(path)) throw new DatabaseMissingError(`${path} does not exist`);
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: TIMEOUT_MS });
  try {
    // A file no migration has touched (empty, or some other application's) is at version 0.
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!table) return 0;
    return Number((db.prepare(SCHEMA_VERSION_SQL).get() as { version: number }).version);
  } finally {
    db.close();
  }
}

async function probePostgres(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: TIMEOUT_MS, statement_timeout: TIMEOUT_MS, query_timeout: TIMEOUT_MS });
  // A connection lost mid-probe surfaces through the query; the event must not crash the CLI.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
    if (!rows[0]?.present) return 0;
    const version = await client.query<{ version: number }>(SCHEMA_VERSION_SQL);
    return Number(version.rows[0]?.version ?? 0);
  } catch (err) {
    throw translatePgError(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The highest applied migration of the database at `location`. Throws DatabaseMissingError for
 * a SQLite file that does not exist, StorageUnavailableError when PostgreSQL cannot be reached.
 */
export async function probeSchemaVersion(location: StoreLocation): Promise<number> {
  if (location.databaseUrl) return probePostgres(location.databaseUrl);
  return probeSqlite(location.dbPath);
}

// Names held by a reseller and a customer at once: stored before issue 13 made them one
// namespace (SPEC section 8). Both tables exist from migration 001 on. At most a page of them.
const CLASHES_SQL = 'SELECT c.username FROM customers c JOIN resellers r ON r.api_user = c.username ORDER BY c.username LIMIT 20';

/** Up to 20 names both a reseller and a customer hold, read-only; [] before migration 001. */
export async function probeNameClashes(location: StoreLocation): Promise<string[]> {
  if (location.databaseUrl) {
    const client = new pg.Client({ connectionString: location.databaseUrl, connectionTimeoutMillis: TIMEOUT_MS, statement_timeout: TIMEOUT_MS, query_timeout: TIMEOUT_MS });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.query<{ username: string }>(CLASHES_SQL)).rows.map((r) => r.username);
    } catch (err) {
      throw translatePgError(err);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const db = new Database(location.dbPath, { readonly: true, fileMustExist: true, timeout: TIMEOUT_MS });
  try {
    return (db.prepare(CLASHES_SQL).all() as Array<{ username: string }>).map((r) => r.username);
  } finally {
    db.close();
  }
}
