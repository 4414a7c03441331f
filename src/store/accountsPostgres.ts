// PostgreSQL side of customers as accounts (migration 009); see accountsSqlite.ts.
import type pg from 'pg';
import type { MetricRow } from '../domain/metrics.js';
import { SUM_ALL, toRow } from './sql.js';
import type { CustomerAccount, Store } from './types.js';

type Accounts = Pick<
  Store,
  | 'findCustomerAccount'
  | 'findCustomerByKeyDigest'
  | 'setCustomerKey'
  | 'setCustomerDisabled'
  | 'resellerAggregate'
  | 'resellerCategoryAggregate'
  | 'resellerCategories'
>;

interface AccountRow {
  id: string;
  username: string;
  reseller_id: string;
  timezone: string;
  webhook_key: string | null;
  key_salt: Buffer | null;
  key_hash: Buffer | null;
  key_digest: Buffer | null;
  disabled: boolean;
}

const toAccount = (r: AccountRow | undefined): CustomerAccount | null =>
  r
    ? {
        customer: { id: Number(r.id), username: r.username, resellerId: Number(r.reseller_id), timezone: r.timezone, webhookKey: r.webhook_key },
        keySalt: r.key_salt,
        keyHash: r.key_hash,
        keyDigest: r.key_digest,
        disabled: r.disabled,
      }
    : null;


// PostgreSQL text cannot hold NUL: such a name is simply not stored anywhere.
const storable = (s: string): boolean => !s.includes('\0');
const ACCOUNT_COLUMNS = 'id, username, reseller_id, timezone, webhook_key, key_salt, key_hash, key_digest, disabled';
const OF_RESELLER = 'customer_id IN (SELECT id FROM customers WHERE reseller_id = $1)';

export function postgresAccounts(pool: pg.Pool, run: <T>(fn: () => Promise<T>) => Promise<T>): Accounts {
  return {
    findCustomerAccount: (username) =>
      run(async () => {
        if (!storable(username)) return null;
        const { rows } = await pool.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM customers WHERE username = $1 AND deleted_at IS NULL`, [username]);
        return toAccount(rows[0]);
      }),
    findCustomerByKeyDigest: (digest) =>
      run(async () => toAccount((await pool.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM customers WHERE key_digest = $1 AND deleted_at IS NULL`, [digest])).rows[0])),
    setCustomerKey: (username, salt, hash, digest) =>
      run(async () => {
        if (!storable(username)) return false;
        const r = await pool.query('UPDATE customers SET key_salt = $1, key_hash = $2, key_digest = $3 WHERE username = $4 AND deleted_at IS NULL', [salt, hash, digest, username]);
        return r.rowCount === 1;
      }),
    setCustomerDisabled: (username, disabled) =>
      run(async () => {
        if (!storable(username)) return false;
        return (await pool.query('UPDATE customers SET disabled = $1 WHERE username = $2 AND deleted_at IS NULL', [disabled, username])).rowCount === 1;
      }),
    resellerAggregate: (resellerId, throughDay) =>
      run(async () => toRow((await pool.query(`SELECT ${SUM_ALL} FROM daily_stats WHERE ${OF_RESELLER} AND day <= $2`, [resellerId, throughDay])).rows[0])),
    resellerCategoryAggregate: (resellerId, names, throughDay) =>
      run(async () => {
        const valid = names.filter(storable);
        if (valid.length === 0) return new Map<string, MetricRow>();
        const { rows } = await pool.query(
          `SELECT category, ${SUM_ALL} FROM category_daily_stats WHERE ${OF_RESELLER} AND category = ANY($2::text[]) AND day <= $3 GROUP BY category`,
          [resellerId, valid, throughDay],
        );
        return new Map((rows as Array<Record<string, unknown>>).map((r) => [String(r.category), toRow(r)]));
      }),
    resellerCategories: (resellerId, page) =>
      run(async () => {
        // The column is COLLATE "C" (001): binary order, as on SQLite.
        const op = page.after === null ? '>=' : '>';
        const { rows } = await pool.query<{ category: string }>(
          `SELECT DISTINCT category FROM customer_categories WHERE ${OF_RESELLER} AND category ${op} $2 ORDER BY category LIMIT $3`,
          [resellerId, page.after ?? '', page.limit],
        );
        return rows.map((r) => r.category);
      }),
  };
}
