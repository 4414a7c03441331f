// SQLite side of suppression lists (migration 012) and of `customer purge`. Spread into
// sqlite.ts; the rows themselves are written by its applyBatch. Addresses are personal data:
// the connection runs with secure_delete on (deleted cells are zeroed in the file), and every
// deletion ends with a TRUNCATE checkpoint, so no copy survives in free pages or the WAL.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { type SuppressionList, addressesIn } from '../domain/suppression.js';
import { COLUMNS, DELETE_CHUNK, type EntryRow, NEVER, QUARANTINE_SLICE, toEntry } from './suppressionRows.js';
import type { SuppressionStore } from './types.js';

type Guard = <T>(fn: () => T) => Promise<T>;

export const SQLITE_UPSERT_SUPPRESSION = `INSERT INTO suppressions (customer_id, list, email, status, reason, first_added, created) VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (customer_id, list, email) DO UPDATE SET
    first_added = MIN(suppressions.first_added, excluded.first_added),
    status = CASE WHEN excluded.created >= suppressions.created THEN excluded.status ELSE suppressions.status END,
    reason = CASE WHEN excluded.created >= suppressions.created THEN excluded.reason ELSE suppressions.reason END,
    created = MAX(suppressions.created, excluded.created)`;

/** The tables holding a customer's rows: every one with a customer_id column (later migrations included). */
function customerTables(db: Database.Database): string[] {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return tables.filter((t) => (db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(t) as string[]).includes('customer_id'));
}

const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function sqliteSuppressions(db: Database.Database, guard: Guard): SuppressionStore {
  const q = {
    page: db.prepare(
      // The keyset is written as a range on `created` (up to the last page's) plus a tie-break,
      // so the index is entered at the right place: a row-value comparison beside BETWEEN made
      // SQLite scan from the newest entry down, a page deep in a list of 10^6 taking 100s of ms.
      `SELECT ${COLUMNS} FROM suppressions WHERE customer_id = ? AND list = ? AND created >= ? AND created <= ? AND (created < ? OR email < ?)
       ORDER BY created DESC, email DESC LIMIT ? OFFSET ?`,
    ),
    byAddressFrom: db.prepare(`SELECT ${COLUMNS} FROM suppressions WHERE customer_id = ? AND list = ? AND email > ? ORDER BY email LIMIT ?`),
    byAddressPrefix: db.prepare(`SELECT ${COLUMNS} FROM suppressions WHERE customer_id = ? AND list = ? AND email > ? AND email >= ? AND email < ? ORDER BY email LIMIT ?`),
    one: db.prepare(`SELECT ${COLUMNS} FROM suppressions WHERE customer_id = ? AND list = ? AND email = ?`),
    deleteOne: db.prepare('DELETE FROM suppressions WHERE customer_id = ? AND list = ? AND email = ?'),
    addOne: db.prepare(
      "INSERT INTO suppressions (customer_id, list, email, status, reason, first_added, created) VALUES (?, ?, ?, '', '', ?, ?) ON CONFLICT (customer_id, list, email) DO NOTHING",
    ),
    deleteChunk: db.prepare(
      'DELETE FROM suppressions WHERE customer_id = ? AND list = ? AND email IN (SELECT email FROM suppressions WHERE customer_id = ? AND list = ? LIMIT ?)',
    ),
    quarantineSlice: db.prepare('SELECT id, payload FROM quarantine WHERE customer_id = ? AND id > ? ORDER BY id LIMIT ?'),
    unquarantine: db.prepare('DELETE FROM quarantine WHERE customer_id = ? AND id = ?'),
    findCustomer: db.prepare('SELECT id FROM customers WHERE username = ?').pluck(),
  };

  /** No copy of deleted rows in the WAL: write everything back, then cut the file to zero. */
  const truncateWal = (): void => void db.pragma('wal_checkpoint(TRUNCATE)');

  /** Ids of the customer's quarantined payloads naming an address `removed` says is going. */
  async function quarantinedNaming(customerId: number, removed: (email: string) => boolean): Promise<number[]> {
    const ids: number[] = [];
    let after = 0;
    for (;;) {
      const rows = await guard(() => q.quarantineSlice.all(customerId, after, QUARANTINE_SLICE) as Array<{ id: number; payload: string }>);
      for (const r of rows) {
        for (const email of addressesIn(r.payload)) {
          if (removed(email)) {
            ids.push(r.id);
            break;
          }
        }
      }
      if (rows.length < QUARANTINE_SLICE) return ids;
      after = (rows[rows.length - 1] as { id: number }).id;
      await nextTurn();
    }
  }

  return {
    suppressions: (customerId, query) =>
      guard(() => {
        const after = query.after ?? { created: NEVER, email: '' };
        const upper = Math.min(query.to ?? NEVER, after.created);
        const rows = q.page.all(customerId, query.list, query.from ?? 0, upper, after.created, after.email, query.limit, query.skip ?? 0) as EntryRow[];
        return rows.map(toEntry);
      }),
    suppressionsByAddress: (customerId, query) =>
      guard(() => {
        const after = query.after ?? '';
        // Every address starting with the prefix sorts before prefix + the highest code point.
        const rows = (
          query.prefix === ''
            ? q.byAddressFrom.all(customerId, query.list, after, query.limit)
            : q.byAddressPrefix.all(customerId, query.list, after, query.prefix, `${query.prefix}\u{10FFFF}`, query.limit)
        ) as EntryRow[];
        return rows.map(toEntry);
      }),
    suppression: (customerId, list, email) =>
      guard(() => {
        const row = q.one.get(customerId, list, email) as EntryRow | undefined;
        return row ? toEntry(row) : null;
      }),
    addSuppression: (customerId, list, email, at) => guard(() => q.addOne.run(customerId, list, email, at, at).changes === 1),
    deleteSuppressions: async (customerId, list: SuppressionList, emails) => {
      let deleted = 0;
      if (emails === 'all') {
        // Which quarantined payloads name a listed address is asked before the list goes.
        const ids = await quarantinedNaming(customerId, (email) => q.one.get(customerId, list, email) !== undefined);
        for (;;) {
          const n = await guard(() => q.deleteChunk.run(customerId, list, customerId, list, DELETE_CHUNK).changes);
          deleted += n;
          if (n < DELETE_CHUNK) break;
          await nextTurn();
        }
        await guard(() => db.transaction(() => ids.forEach((id) => q.unquarantine.run(customerId, id)))());
      } else {
        const named = new Set(emails);
        if (named.size === 0) return 0;
        const ids = await quarantinedNaming(customerId, (email) => named.has(email));
        deleted = await guard(() =>
          db.transaction(() => {
            let n = 0;
            for (const email of named) n += q.deleteOne.run(customerId, list, email).changes;
            for (const id of ids) q.unquarantine.run(customerId, id);
            return n;
          })(),
        );
      }
      await guard(truncateWal);
      return deleted;
    },
    purgeCustomer: (username) =>
      guard(() => {
        const id = q.findCustomer.get(username) as number | undefined;
        if (id === undefined) return null;
        const rows: Record<string, number> = {};
        db.transaction(() => {
          for (const table of customerTables(db)) rows[table] = db.prepare(`DELETE FROM ${quoted(table)} WHERE customer_id = ?`).run(id).changes;
          rows.customers = db.prepare('DELETE FROM customers WHERE id = ?').run(id).changes;
        }).immediate();
        truncateWal();
        return { rows };
      }),
  };
}
