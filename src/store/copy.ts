// `mailtally db copy`: moves a whole installation from the embedded SQLite file to PostgreSQL —
// resellers, customers, rollups, deduplication state, quarantine — in one PostgreSQL
// transaction, keeping ids so every customer_id still points at its customer. It refuses a
// target that holds any data, so it can never merge two installations by accident.
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgres } from './postgres.js';
import { translatePgError } from './pgErrors.js';

// Parents before children; the column lists are the same in both schemas (migrations 001).
export const COPIED_TABLES = [
  'resellers',
  'customers',
  'customer_profiles',
  'customer_categories',
  'daily_stats',
  'category_daily_stats',
  'provider_daily_stats',
  'event_fingerprints',
  'first_seen',
  'quarantine',
  'provider_webhook_keys',
  'webhook_replay_tokens',
  'suppressions',
] as const;

// PostgreSQL binds at most 65535 parameters per statement.
const MAX_PARAMS = 60_000;

export class CopyRefused extends Error {}

export async function copySqliteToPostgres(sqlitePath: string, url: string, onTable?: (table: string, rows: number) => void): Promise<Record<string, number>> {
  // Apply the schema first (and fail early if the server is unreachable).
  await (await openPostgres(url, { retentionMs: 0, poolSize: 1 })).close();

  const source = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  const target = new pg.Client({ connectionString: url });
  const copied: Record<string, number> = {};
  try {
    await target.connect();
    await target.query('BEGIN');
    for (const table of COPIED_TABLES) {
      const { rows } = await target.query(`SELECT EXISTS (SELECT 1 FROM ${table}) AS used`);
      if (rows[0]?.used) throw new CopyRefused(`the target database is not empty (table ${table} has rows); copy only into a fresh database`);
    }
    for (const table of COPIED_TABLES) {
      const columns = (source.prepare(`SELECT * FROM ${table} LIMIT 0`).columns() as Array<{ name: string }>).map((c) => c.name);
      const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
      let batch: unknown[][] = [];
      let count = 0;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const values = batch.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
        await target.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, batch.flat());
        count += batch.length;
        batch = [];
      };
      for (const row of source.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).raw().iterate() as Iterable<unknown[]>) {
        batch.push(row);
        if (batch.length >= perStatement) await flush();
      }
      await flush();
      copied[table] = count;
      onTable?.(table, count);
    }
    // Ids were copied as they were; move the sequences past them.
    for (const table of ['resellers', 'customers', 'quarantine']) {
      await target.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), GREATEST((SELECT MAX(id) FROM ${table}), 1))`);
    }
    // Processes already serving this database may hold these customers' (empty) rollups in memory.
    await target.query('INSERT INTO rollup_versions (customer_id, version) SELECT id, 1 FROM customers ON CONFLICT (customer_id) DO UPDATE SET version = rollup_versions.version + 1');
    await target.query('COMMIT');
    return copied;
  } catch (err) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw err instanceof CopyRefused ? err : translatePgError(err);
  } finally {
    source.close();
    await target.end().catch(() => undefined);
  }
}
