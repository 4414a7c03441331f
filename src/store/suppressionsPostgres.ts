// PostgreSQL side of suppression lists (migration 012) and of `customer purge`; see
// suppressionsSqlite.ts. PostgreSQL cannot promise the bytes are gone: a deleted row stays in
// its page as a dead tuple until VACUUM makes the space reusable, and in WAL segments until
// they are recycled. The tables that hold addresses in clear are vacuumed after a purge.
import type pg from 'pg';
import { addressesIn } from '../domain/suppression.js';
import { withClient } from './pgClient.js';
import { COLUMNS, DELETE_CHUNK, type EntryRow, NEVER, QUARANTINE_SLICE, toEntry } from './suppressionRows.js';
import type { SuppressionStore } from './types.js';

type Run = <T>(fn: () => Promise<T>) => Promise<T>;

/** Tables holding addresses (or the username) in clear: vacuumed after a purge. */
const VACUUMED = ['suppressions', 'quarantine', 'customers'];
// PostgreSQL text cannot hold NUL: such an address was never stored.
const storable = (s: string): boolean => !s.includes('\0');

/** Batch upsert of one customer's rows ($1), arrays sorted by (list, email) so concurrent batches lock in one order. */
export const PG_UPSERT_SUPPRESSIONS = `INSERT INTO suppressions (customer_id, list, email, status, reason, first_added, created)
  SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
  ON CONFLICT (customer_id, list, email) DO UPDATE SET
    first_added = LEAST(suppressions.first_added, excluded.first_added),
    status = CASE WHEN excluded.created >= suppressions.created THEN excluded.status ELSE suppressions.status END,
    reason = CASE WHEN excluded.created >= suppressions.created THEN excluded.reason ELSE suppressions.reason END,
    created = GREATEST(suppressions.created, excluded.created)`;

export function postgresSuppressions(pool: pg.Pool, run: Run): SuppressionStore {
  async function quarantinedNaming(client: pg.PoolClient, customerId: number, removed: (email: string) => Promise<boolean> | boolean): Promise<string[]> {
    const ids: string[] = [];
    let after = '0';
    for (;;) {
      const { rows } = await client.query<{ id: string; payload: string }>('SELECT id, payload FROM quarantine WHERE customer_id = $1 AND id > $2 ORDER BY id LIMIT $3', [
        customerId,
        after,
        QUARANTINE_SLICE,
      ]);
      for (const r of rows) {
        for (const email of addressesIn(r.payload)) {
          if (await removed(email)) {
            ids.push(r.id);
            break;
          }
        }
      }
      if (rows.length < QUARANTINE_SLICE) return ids;
      after = (rows[rows.length - 1] as { id: string }).id;
    }
  }

  return {
    suppressions: (customerId, query) =>
      run(async () => {
        const after = query.after ?? { created: NEVER, email: '' };
        const { rows } = await pool.query<EntryRow>(
          // As on SQLite: a range on `created` up to the last page's, then the tie-break.
          `SELECT ${COLUMNS} FROM suppressions WHERE customer_id = $1 AND list = $2 AND created >= $3 AND created <= $4 AND (created < $5 OR email < $6)
           ORDER BY created DESC, email DESC LIMIT $7 OFFSET $8`,
          [customerId, query.list, query.from ?? 0, Math.min(query.to ?? NEVER, after.created), after.created, after.email, query.limit, query.skip ?? 0],
        );
        return rows.map(toEntry);
      }),
    suppressionsByAddress: (customerId, query) =>
      run(async () => {
        if (!storable(query.prefix) || !storable(query.after ?? '')) return [];
        const { rows } =
          query.prefix === ''
            ? await pool.query<EntryRow>(`SELECT ${COLUMNS} FROM suppressions WHERE customer_id = $1 AND list = $2 AND email > $3 ORDER BY email LIMIT $4`, [
                customerId,
                query.list,
                query.after ?? '',
                query.limit,
              ])
            : await pool.query<EntryRow>(
                `SELECT ${COLUMNS} FROM suppressions WHERE customer_id = $1 AND list = $2 AND email > $3 AND email >= $4 AND email < $5 ORDER BY email LIMIT $6`,
                [customerId, query.list, query.after ?? '', query.prefix, `${query.prefix}\u{10FFFF}`, query.limit],
              );
        return rows.map(toEntry);
      }),
    suppression: (customerId, list, email) =>
      run(async () => {
        if (!storable(email)) return null;
        const { rows } = await pool.query<EntryRow>(`SELECT ${COLUMNS} FROM suppressions WHERE customer_id = $1 AND list = $2 AND email = $3`, [customerId, list, email]);
        return rows[0] ? toEntry(rows[0]) : null;
      }),
    addSuppression: (customerId, list, email, at) =>
      run(async () => {
        if (!storable(email)) return false;
        const { rowCount } = await pool.query(
          `INSERT INTO suppressions (customer_id, list, email, status, reason, first_added, created) VALUES ($1, $2, $3, '', '', $4, $4)
           ON CONFLICT (customer_id, list, email) DO NOTHING`,
          [customerId, list, email, at],
        );
        return rowCount === 1;
      }),
    deleteSuppressions: (customerId, list, emails) =>
      run(() =>
        withClient(pool, async (client) => {
          let deleted = 0;
          if (emails === 'all') {
            const ids = await quarantinedNaming(client, customerId, async (email) => {
              const { rowCount } = await client.query('SELECT 1 FROM suppressions WHERE customer_id = $1 AND list = $2 AND email = $3', [customerId, list, email]);
              return (rowCount ?? 0) > 0;
            });
            // Chunks in their own transactions: ingest for this customer is never held up long.
            for (;;) {
              const r = await client.query(
                `DELETE FROM suppressions WHERE customer_id = $1 AND list = $2 AND email IN
                   (SELECT email FROM suppressions WHERE customer_id = $1 AND list = $2 LIMIT $3)`,
                [customerId, list, DELETE_CHUNK],
              );
              deleted += r.rowCount ?? 0;
              if ((r.rowCount ?? 0) < DELETE_CHUNK) break;
            }
            if (ids.length > 0) await client.query('DELETE FROM quarantine WHERE customer_id = $1 AND id = ANY($2::bigint[])', [customerId, ids]);
            return deleted;
          }
          const named = [...new Set(emails)].filter(storable).sort();
          if (named.length === 0) return 0;
          const set = new Set(named);
          const ids = await quarantinedNaming(client, customerId, (email) => set.has(email));
          await client.query('BEGIN');
          try {
            const r = await client.query('DELETE FROM suppressions WHERE customer_id = $1 AND list = $2 AND email = ANY($3::text[])', [customerId, list, named]);
            if (ids.length > 0) await client.query('DELETE FROM quarantine WHERE customer_id = $1 AND id = ANY($2::bigint[])', [customerId, ids]);
            await client.query('COMMIT');
            return r.rowCount ?? 0;
          } catch (err) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        }),
      ),
    purgeCustomer: (username) =>
      run(() =>
        withClient(pool, async (client) => {
          if (!storable(username)) return null;
          const rows: Record<string, number> = {};
          await client.query('BEGIN');
          try {
            const found = await client.query<{ id: string }>('SELECT id FROM customers WHERE username = $1 FOR UPDATE', [username]);
            const id = found.rows[0]?.id;
            if (id === undefined) {
              await client.query('ROLLBACK');
              return null;
            }
            // The same lock a batch takes: no batch of this customer commits half-way through.
            await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [id]);
            const { rows: tables } = await client.query<{ table_name: string }>(
              `SELECT table_name FROM information_schema.columns
               WHERE table_schema = current_schema() AND column_name = 'customer_id' ORDER BY table_name`,
            );
            for (const { table_name: table } of tables) {
              const r = await client.query(`DELETE FROM "${table.replace(/"/g, '""')}" WHERE customer_id = $1`, [id]);
              rows[table] = r.rowCount ?? 0;
            }
            rows.customers = (await client.query('DELETE FROM customers WHERE id = $1', [id])).rowCount ?? 0;
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
          // Dead tuples become reusable space; the bytes may stay in the files until overwritten.
          for (const table of VACUUMED) await client.query(`VACUUM ${table}`);
          return { rows };
        }),
      ),
  };
}
