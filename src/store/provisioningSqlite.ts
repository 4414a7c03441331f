// SQLite side of provisioning (migration 011, SPEC section 9): customers created with their key
// and profile, the reseller's paged customer list, soft deletion, profile updates. Kept apart
// from sqlite.ts, which it is spread into. Column names come from the fixed field lists only.
import type Database from 'better-sqlite3';
import { EMPTY_PROFILE, PROFILE_FIELDS, type Profile, SEARCHABLE_FIELDS } from '../domain/customerProfile.js';
import type { CustomerRecord, Store } from './types.js';

type Provisioning = Pick<Store, 'createCustomer' | 'findCustomerEvenDeleted' | 'customerNameHeld' | 'listCustomers' | 'deleteCustomer' | 'updateProfile'>;

const PROFILE_COLUMNS = PROFILE_FIELDS.join(', ');
/** The only names that reach SQL text as filter columns. */
export const FILTERABLE = ['username', ...SEARCHABLE_FIELDS] as const;

interface ListRow extends Record<string, unknown> {
  id: number;
  username: string;
  reseller_id: number;
  timezone: string;
  webhook_key: string | null;
  disabled: number;
  has_profile: number | null;
}

export function toRecord(r: ListRow): CustomerRecord {
  const profile = { ...EMPTY_PROFILE } as Profile;
  if (r.has_profile !== null) for (const f of PROFILE_FIELDS) profile[f] = String(r[f] ?? '');
  return {
    customer: { id: Number(r.id), username: r.username, resellerId: Number(r.reseller_id), timezone: r.timezone, webhookKey: r.webhook_key },
    disabled: Boolean(Number(r.disabled)),
    profile,
  };
}

export function sqliteProvisioning(db: Database.Database, guard: <T>(fn: () => T) => Promise<T>): Provisioning {
  const q = {
    insert: db.prepare('INSERT INTO customers (username, reseller_id, timezone, created_at, key_salt, key_hash, key_digest) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    insertProfile: db.prepare(`INSERT INTO customer_profiles (customer_id, ${PROFILE_COLUMNS}) VALUES (?, ${PROFILE_FIELDS.map(() => '?').join(', ')})`),
    held: db.prepare('SELECT 1 FROM customers WHERE username = ?'),
    evenDeleted: db.prepare('SELECT id, username, reseller_id, timezone, webhook_key, deleted_at FROM customers WHERE username = ?'),
    remove: db.prepare('UPDATE customers SET deleted_at = ?, key_salt = NULL, key_hash = NULL, key_digest = NULL WHERE id = ? AND deleted_at IS NULL'),
    ensureProfile: db.prepare('INSERT INTO customer_profiles (customer_id) VALUES (?) ON CONFLICT DO NOTHING'),
  };
  const create = db.transaction((c: Parameters<Provisioning['createCustomer']>[0]) => {
    const info = q.insert.run(c.username, c.resellerId, c.timezone, Date.now(), c.key?.salt ?? null, c.key?.hash ?? null, c.key?.digest ?? null);
    const id = Number(info.lastInsertRowid);
    if (c.profile) q.insertProfile.run(id, ...PROFILE_FIELDS.map((f) => c.profile?.[f] ?? ''));
    return { id, username: c.username, resellerId: c.resellerId, timezone: c.timezone, webhookKey: null };
  });
  return {
    createCustomer: (c) => guard(() => create.immediate(c)),
    customerNameHeld: (username) => guard(() => q.held.get(username) !== undefined),
    findCustomerEvenDeleted: (username) =>
      guard(() => {
        const r = q.evenDeleted.get(username) as (ListRow & { deleted_at: number | null }) | undefined;
        return r ? { customer: toRecord({ ...r, disabled: 0, has_profile: null }).customer, deleted: r.deleted_at !== null } : null;
      }),
    deleteCustomer: (customerId, now) => guard(() => q.remove.run(now.getTime(), customerId).changes === 1),
    updateProfile: (customerId, fields) =>
      guard(() => {
        const names = PROFILE_FIELDS.filter((f) => fields[f] !== undefined);
        if (names.length === 0) return;
        db.transaction(() => {
          q.ensureProfile.run(customerId);
          db.prepare(`UPDATE customer_profiles SET ${names.map((f) => `${f} = ?`).join(', ')} WHERE customer_id = ?`).run(...names.map((f) => fields[f]), customerId);
        }).immediate();
      }),
    listCustomers: (resellerId, query) =>
      guard(() => {
        // The index (reseller_id, username) gives the order and the keyset; the filters are
        // checked on the rows it walks (a reseller's customers, a bounded page of them).
        const where = ['c.reseller_id = ?', 'c.deleted_at IS NULL'];
        const args: unknown[] = [resellerId];
        for (const field of FILTERABLE) {
          const value = query.filters[field];
          if (value === undefined) continue;
          where.push(field === 'username' ? 'c.username = ?' : `COALESCE(p.${field}, '') = ?`);
          args.push(value);
        }
        if (query.active !== undefined) where.push(query.active ? 'c.disabled = 0' : 'c.disabled <> 0');
        if (query.after) {
          where.push('c.username > ?');
          args.push(query.after);
        }
        const sql = `SELECT c.id, c.username, c.reseller_id, c.timezone, c.webhook_key, c.disabled, p.customer_id AS has_profile, ${PROFILE_FIELDS.map((f) => `p.${f}`).join(', ')}
          FROM customers c LEFT JOIN customer_profiles p ON p.customer_id = c.id
          WHERE ${where.join(' AND ')} ORDER BY c.username LIMIT ? OFFSET ?`;
        return (db.prepare(sql).all(...args, query.limit, query.offset ?? 0) as ListRow[]).map(toRecord);
      }),
  };
}
