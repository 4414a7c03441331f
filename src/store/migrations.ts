// Numbered migrations (migrations/<dialect>/NNN_name.sql), applied in order at open, each in its
// own transaction, recorded in schema_migrations so a restart applies only what is new.
import { readdirSync, readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { withClient } from './pgClient.js';

export function migrationFiles(dialect: 'sqlite' | 'postgres'): Array<{ version: number; sql: string }> {
  const dir = new URL(`../../migrations/${dialect}/`, import.meta.url);
  return readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number.parseInt(f, 10), sql: readFileSync(new URL(f, dir), 'utf8') }));
}

/** The highest migration file number: the schema version this code expects (readiness). */
export function latestMigration(dialect: 'sqlite' | 'postgres'): number {
  return migrationFiles(dialect).reduce((max, m) => Math.max(max, m.version), 0);
}

/** The schema version a database is at; the same statement on both backends. */
export const SCHEMA_VERSION_SQL = 'SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations';

export function migrateSqlite(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
  for (const m of migrationFiles('sqlite')) {
    if (applied.has(m.version)) continue;
    // IMMEDIATE: a second process opening the same file at the same moment waits, then skips.
    db.transaction(() => {
      if (db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version)) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
    }).immediate();
  }
}

// Any fixed pair of int4 keys; the two-key advisory lock space never clashes with the
// one-bigint locks that serialise a customer's batches.
const MIGRATION_LOCK = [0x6d74, 1] as const;

/** Applies new migrations under an advisory lock, so processes starting together do not race. */
export function migratePostgres(pool: pg.Pool): Promise<void> {
  return withClient(pool, migrateWith);
}

async function migrateWith(client: pg.PoolClient): Promise<void> {
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    for (const m of migrationFiles('postgres')) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, Date.now()]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]).catch(() => undefined);
  }
}
