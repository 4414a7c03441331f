// PostgreSQL side of provisioning (migration 011); see provisioningSqlite.ts.
import type pg from 'pg';
import { PROFILE_FIELDS } from '../domain/customerProfile.js';
import { withClient } from './pgClient.js';
import { FILTERABLE, toRecord } from './provisioningSqlite.js';
import type { Store } from './types.js';

type Provisioning = Pick<Store, 'createCustomer' | 'findCustomerEvenDeleted' | 'customerNameHeld' | 'listCustomers' | 'deleteCustomer' | 'updateProfile'>;

// PostgreSQL text cannot hold NUL: such a value is simply not stored anywhere.
const storable = (s: string): boolean => !s.includes('\0');

async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

export function postgresProvisioning(pool: pg.Pool, run: <T>(fn: () => Promise<T>) => Promise<T>): Provisioning {
  return {
    createCustomer: (c) =>
      run(() =>
        inTransaction(pool, async (client) => {
          const { rows } = await client.query<{ id: string }>(
            'INSERT INTO customers (username, reseller_id, timezone, created_at, key_salt, key_hash, key_digest) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
            [c.username, c.resellerId, c.timezone, Date.now(), c.key?.salt ?? null, c.key?.hash ?? null, c.key?.digest ?? null],
          );
          const id = Number(rows[0]?.id);
          if (c.profile) {
            await client.query(
              `INSERT INTO customer_profiles (customer_id, ${PROFILE_FIELDS.join(', ')}) VALUES ($1, ${PROFILE_FIELDS.map((_, i) => `$${i + 2}`).join(', ')})`,
              [id, ...PROFILE_FIELDS.map((f) => c.profile?.[f] ?? '')],
            );
          }
          return { id, username: c.username, resellerId: c.resellerId, timezone: c.timezone, webhookKey: null };
        }),
      ),
    findCustomerEvenDeleted: (username) =>
      run(async () => {
        if (!storable(username)) return null;
        const { rows } = await pool.query('SELECT id, username, reseller_id, timezone, webhook_key, 0 AS disabled, NULL AS has_profile, deleted_at FROM customers WHERE username = $1', [username]);
        const r = rows[0];
        return r ? { customer: toRecord(r).customer, deleted: r.deleted_at !== null } : null;
      }),
    customerNameHeld: (username) =>
      run(async () => storable(username) && (await pool.query('SELECT 1 FROM customers WHERE username = $1', [username])).rowCount === 1),
    deleteCustomer: (customerId, now) =>
      run(async () => {
        const r = await pool.query(
          'UPDATE customers SET deleted_at = $1, key_salt = NULL, key_hash = NULL, key_digest = NULL WHERE id = $2 AND deleted_at IS NULL',
          [now.getTime(), customerId],
        );
        return r.rowCount === 1;
      }),
    updateProfile: (customerId, fields) =>
      run(async () => {
        const names = PROFILE_FIELDS.filter((f) => fields[f] !== undefined);
        if (names.length === 0) return;
        await pool.query(
          `INSERT INTO customer_profiles (customer_id, ${names.join(', ')}) VALUES ($1, ${names.map((_, i) => `$${i + 2}`).join(', ')})
           ON CONFLICT (customer_id) DO UPDATE SET ${names.map((f) => `${f} = excluded.${f}`).join(', ')}`,
          [customerId, ...names.map((f) => fields[f])],
        );
      }),
    listCustomers: (resellerId, query) =>
      run(async () => {
        const where = ['c.reseller_id = $1', 'c.deleted_at IS NULL'];
        const args: unknown[] = [resellerId];
        for (const field of FILTERABLE) {
          const value = query.filters[field];
          if (value === undefined) continue;
          if (!storable(value)) return [];
          args.push(value);
          where.push(field === 'username' ? `c.username = $${args.length}` : `COALESCE(p.${field}, '') = $${args.length}`);
        }
        if (query.active !== undefined) where.push(query.active ? 'NOT c.disabled' : 'c.disabled');
        if (query.after) {
          if (!storable(query.after)) return [];
          args.push(query.after);
          where.push(`c.username COLLATE "C" > $${args.length}`);
        }
        args.push(query.limit, query.offset ?? 0);
        const { rows } = await pool.query(
          `SELECT c.id, c.username, c.reseller_id, c.timezone, c.webhook_key, c.disabled::int AS disabled, p.customer_id AS has_profile, ${PROFILE_FIELDS.map((f) => `p.${f}`).join(', ')}
           FROM customers c LEFT JOIN customer_profiles p ON p.customer_id = c.id
           WHERE ${where.join(' AND ')} ORDER BY c.username COLLATE "C" LIMIT $${args.length - 1} OFFSET $${args.length}`,
          args,
        );
        return rows.map(toRecord);
      }),
  };
}
