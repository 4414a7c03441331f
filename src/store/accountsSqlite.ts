// SQLite side of customers as accounts (migrations 009 and 010, SPEC section 8): customers' own
// keys, the disabled flag, their dashboard session versions, resellers' brands, and the
// parent-account reads of stats.get.
// Kept apart from sqlite.ts, which it is spread into.
import type Database from 'better-sqlite3';
import type { MetricRow } from '../domain/metrics.js';
import { SUM_ALL, toRow } from './sql.js';
import type { AccountStore, Brand, CustomerAccount } from './types.js';

interface AccountRow {
  id: number;
  username: string;
  reseller_id: number;
  timezone: string;
  webhook_key: string | null;
  key_salt: Buffer | null;
  key_hash: Buffer | null;
  key_digest: Buffer | null;
  disabled: number;
  session_version: number;
}

const toAccount = (r: AccountRow | undefined): CustomerAccount | null =>
  r
    ? {
        customer: { id: r.id, username: r.username, resellerId: r.reseller_id, timezone: r.timezone, webhookKey: r.webhook_key },
        keySalt: r.key_salt,
        keyHash: r.key_hash,
        keyDigest: r.key_digest,
        disabled: Number(r.disabled) !== 0,
        sessionVersion: Number(r.session_version),
      }
    : null;

interface BrandRow {
  brand_name: string | null;
  brand_color: string | null;
}

const toBrand = (r: BrandRow | undefined): Brand | null => (r?.brand_name && r.brand_color ? { name: r.brand_name, color: r.brand_color } : null);

const inList = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
const ACCOUNT_COLUMNS = 'id, username, reseller_id, timezone, webhook_key, key_salt, key_hash, key_digest, disabled, session_version';
const OF_RESELLER = 'customer_id IN (SELECT id FROM customers WHERE reseller_id = ?)';

export function sqliteAccounts(db: Database.Database, guard: <T>(fn: () => T) => Promise<T>): AccountStore {
  const q = {
    byName: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM customers WHERE username = ? AND deleted_at IS NULL`),
    byDigest: db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM customers WHERE key_digest = ? AND deleted_at IS NULL`),
    // A new key or a disable ends every dashboard session of the customer (migration 010).
    setKey: db.prepare('UPDATE customers SET key_salt = ?, key_hash = ?, key_digest = ?, session_version = session_version + 1 WHERE username = ? AND deleted_at IS NULL'),
    setDisabled: db.prepare('UPDATE customers SET disabled = ?, session_version = session_version + ? WHERE username = ? AND deleted_at IS NULL'),
    setBrand: db.prepare('UPDATE resellers SET brand_name = ?, brand_color = ? WHERE api_user = ?'),
    brand: db.prepare('SELECT brand_name, brand_color FROM resellers WHERE id = ?'),
    aggregate: db.prepare(`SELECT ${SUM_ALL} FROM daily_stats WHERE ${OF_RESELLER} AND day <= ?`),
    categoriesFrom: db.prepare(`SELECT DISTINCT category FROM customer_categories WHERE ${OF_RESELLER} AND category >= ? ORDER BY category LIMIT ?`),
    categoriesAfter: db.prepare(`SELECT DISTINCT category FROM customer_categories WHERE ${OF_RESELLER} AND category > ? ORDER BY category LIMIT ?`),
  };
  return {
    findCustomerAccount: (username) => guard(() => toAccount(q.byName.get(username) as AccountRow | undefined)),
    findCustomerByKeyDigest: (digest) => guard(() => toAccount(q.byDigest.get(digest) as AccountRow | undefined)),
    setCustomerKey: (username, salt, hash, digest) => guard(() => q.setKey.run(salt, hash, digest, username).changes === 1),
    setCustomerDisabled: (username, disabled) => guard(() => q.setDisabled.run(disabled ? 1 : 0, disabled ? 1 : 0, username).changes === 1),
    setResellerBrand: (apiUser, brand) => guard(() => q.setBrand.run(brand?.name ?? null, brand?.color ?? null, apiUser).changes === 1),
    resellerBrand: (resellerId) => guard(() => toBrand(q.brand.get(resellerId) as BrandRow | undefined)),
    resellerAggregate: (resellerId, throughDay) => guard(() => toRow(q.aggregate.get(resellerId, throughDay) as Record<string, unknown> | undefined)),
    resellerCategoryAggregate: (resellerId, names, throughDay) =>
      guard(() => {
        if (names.length === 0) return new Map<string, MetricRow>();
        // At most 100 names (MAX_CATEGORIES): bound one by one, far below SQLite's 32766.
        const rows = db
          .prepare(`SELECT category, ${SUM_ALL} FROM category_daily_stats WHERE ${OF_RESELLER} AND category IN (${inList(names.length)}) AND day <= ? GROUP BY category`)
          .all(resellerId, ...names, throughDay) as Array<Record<string, unknown>>;
        return new Map(rows.map((r) => [String(r.category), toRow(r)]));
      }),
    resellerCategories: (resellerId, page) =>
      guard(() => {
        const rows = page.after === null ? q.categoriesFrom.all(resellerId, '', page.limit) : q.categoriesAfter.all(resellerId, page.after, page.limit);
        return (rows as Array<{ category: string }>).map((r) => r.category);
      }),
  };
}
