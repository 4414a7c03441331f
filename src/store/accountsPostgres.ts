// PostgreSQL side of customers as accounts (migrations 009 and 010); see accountsSqlite.ts.
import type pg from 'pg';
import type { MetricRow } from '../domain/metrics.js';
import { SUM_ALL, toRow } from './sql.js';
import type { AccountStore, Brand, CustomerAccount } from './types.js';

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
  session_version: number;
}

const toAccount = (r: AccountRow | undefined): CustomerAccount | null =>
  r
    ? {
        customer: { id: Number(r.id), username: r.username, resellerId: Number(r.reseller_id), timezone: r.timezone, webhookKey: r.webhook_key },
        keySalt: r.key_salt,
        keyHash: r.key_hash,
        keyDigest: r.key_digest,
        disabled: r.disabled,
        sessionVersion: Number(r.session_version),
      }
    : null;

interface BrandRow {
  brand_name: string | null;
  brand_color: string | null;
}

const toBrand = (r: BrandRow | undefined): Brand | null => (r?.brand_name && r.brand_color ? { name: r.brand_name, color: r.brand_color } : null);

// PostgreSQL text cannot hold NUL: such a name is simply not stored anywhere.
const storable = (s: string): boolean => !s.includes('\0');
const ACCOUNT_COLUMNS = 'id, username, reseller_id, timezone, webhook_key, key_salt, key_hash, key_digest, disabled, session_version';
const OF_RESELLER = 'customer_id IN (SELECT id FROM customers WHERE reseller_id = $1)';

export function postgresAccounts(pool: pg.Pool, run: <T>(fn: () => Promise<T>) => Promise<T>): AccountStore {
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
        // A new key ends every dashboard session of the customer (migration 010).
        const r = await pool.query('UPDATE customers SET key_salt = $1, key_hash = $2, key_digest = $3, session_version = session_version + 1 WHERE username = $4 AND deleted_at IS NULL', [salt, hash, digest, username]);
        return r.rowCount === 1;
      }),
    setCustomerDisabled: (username, disabled) =>
      run(async () => {
        if (!storable(username)) return false;
        // Disabling also ends its dashboard sessions; enabling does not bring them back.
        return (await pool.query('UPDATE customers SET disabled = $1, session_version = session_version + $2 WHERE username = $3 AND deleted_at IS NULL', [disabled, disabled ? 1 : 0, username])).rowCount === 1;
      }),
    setResellerBrand: (apiUser, brand) =>
      run(async () => {
        if (!storable(apiUser)) return false;
        return (await pool.query('UPDATE resellers SET brand_name = $1, brand_color = $2 WHERE api_user = $3', [brand?.name ?? null, brand?.color ?? null, apiUser])).rowCount === 1;
      }),
    resellerBrand: (resellerId) => run(async () => toBrand((await pool.query<BrandRow>('SELECT brand_name, brand_color FROM resellers WHERE id = $1', [resellerId])).rows[0])),
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
