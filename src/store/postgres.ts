// The shared backend: several server processes on one PostgreSQL database. A batch is one
// transaction that first takes a per-customer advisory lock, so two processes applying batches
// for the same customer take turns (first-open markers are read-then-written) while different
// customers proceed in parallel; rows are always touched in the same order under that lock, so
// concurrent batches cannot deadlock. Whole-batch statements use unnest() over arrays: four round
// trips per batch, whatever its size (pgApplyBatch.ts).
import pg from 'pg';
import type { MetricRow } from '../domain/metrics.js';
import { DEFAULT_QUARANTINE_LIMITS } from '../domain/quarantineRows.js';
import { SCHEMA_VERSION_SQL, migratePostgres } from './migrations.js';
import { withClient } from './pgClient.js';
import { translatePgError } from './pgErrors.js';
import { postgresProviderState } from './providerStatePostgres.js';
import { postgresAccounts } from './accountsPostgres.js';
import { postgresProvisioning } from './provisioningPostgres.js';
import { applyBatchPostgres } from './pgApplyBatch.js';
import { pgReadModel } from './pgReadModel.js';
import { postgresSuppressions } from './suppressionsPostgres.js';
import { METRIC_COLUMNS, SUM_ALL, byNameAndDay, metricList, sums, toRow } from './sql.js';
import { DEFAULT_READ_CACHE_BYTES, LAST_DAY, type Reseller, type Store, type StoreOptions } from './types.js';

export interface PgOptions extends StoreOptions {
  poolSize?: number;
}

// Session advisory lock taken by whichever process prunes (two-int key space, like migrations).
const PRUNE_LOCK = [0x6d74, 2] as const;

// PostgreSQL text cannot hold NUL, so a name containing one can never have been stored: answer
// "not found" instead of letting the driver fail on it.
const storable = (s: string): boolean => !s.includes('\0');

interface ResellerRow {
  id: string;
  api_user: string;
  key_salt: Buffer;
  key_hash: Buffer;
  key_digest: Buffer | null;
  session_version: number;
}

const toReseller = (r: ResellerRow | undefined): Reseller | null =>
  r ? { id: Number(r.id), apiUser: r.api_user, keySalt: r.key_salt, keyHash: r.key_hash, keyDigest: r.key_digest, sessionVersion: Number(r.session_version) } : null;

export async function openPostgres(url: string, options: PgOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // Fail fast when the database is down, so callers answer 503 well inside the request timeout.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 15_000,
    query_timeout: 20_000,
  });
  // An idle client losing its connection (database restart) must not crash the process; the
  // pool discards it and the next checkout reconnects.
  pool.on('error', () => undefined);

  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw translatePgError(err);
    }
  };

  await run(() => migratePostgres(pool));
  const limits = options.quarantine ?? DEFAULT_QUARANTINE_LIMITS;
  // Rollups from memory (pgReadModel.ts); with the budget 0 every read goes to SQL as before.
  const budget = options.readCacheBytes ?? DEFAULT_READ_CACHE_BYTES;
  const model = budget > 0 ? pgReadModel(pool, budget, storable) : null;

  /** Runs `prune` per customer on one connection, if no other process is pruning right now. */
  async function pruneRound(prune: (client: pg.PoolClient, customerId: string, room: number) => Promise<number>, limit: number): Promise<number> {
    const client = await pool.connect();
    try {
      const { rows: lock } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [...PRUNE_LOCK]);
      if (!lock[0]?.ok) return 0;
      try {
        let deleted = 0;
        const { rows } = await client.query<{ id: string }>('SELECT id FROM customers ORDER BY id');
        for (const { id } of rows) {
          if (deleted >= limit) break;
          deleted += await prune(client, id, limit - deleted);
        }
        return deleted;
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [...PRUNE_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  return {
    backend: 'postgres',
    ...postgresProviderState(pool, options.retentionMs, run),
    ...postgresAccounts(pool, run),
    ...postgresProvisioning(pool, run),
    ...postgresSuppressions(pool, run),
    addReseller: (apiUser, salt, hash, keyDigest) =>
      run(async () => {
        await pool.query('INSERT INTO resellers (api_user, key_salt, key_hash, key_digest, created_at) VALUES ($1, $2, $3, $4, $5)', [
          apiUser,
          salt,
          hash,
          keyDigest ?? null,
          Date.now(),
        ]);
      }),
    findResellerByKeyDigest: (keyDigest) =>
      run(async () => {
        const { rows } = await pool.query<ResellerRow>('SELECT id, api_user, key_salt, key_hash, key_digest, session_version FROM resellers WHERE key_digest = $1', [keyDigest]);
        return toReseller(rows[0]);
      }),
    setResellerKeyDigest: (resellerId, keyDigest) =>
      run(async () => {
        await pool.query('UPDATE resellers SET key_digest = $1 WHERE id = $2', [keyDigest, resellerId]);
      }),
    customersOf: (resellerId) =>
      run(async () => {
        const { rows } = await pool.query<{ id: string; username: string; reseller_id: string; timezone: string; webhook_key: string | null }>(
          'SELECT id, username, reseller_id, timezone, webhook_key FROM customers WHERE reseller_id = $1 AND deleted_at IS NULL',
          [resellerId],
        );
        return rows.map((r) => ({ id: Number(r.id), username: r.username, resellerId: Number(r.reseller_id), timezone: r.timezone, webhookKey: r.webhook_key }));
      }),
    findReseller: (apiUser) =>
      run(async () => {
        if (!storable(apiUser)) return null;
        const { rows } = await pool.query<ResellerRow>('SELECT id, api_user, key_salt, key_hash, key_digest, session_version FROM resellers WHERE api_user = $1', [apiUser]);
        return toReseller(rows[0]);
      }),
    addCustomer: (username, resellerId, timezone) =>
      run(async () => {
        const { rows } = await pool.query<{ id: string }>(
          'INSERT INTO customers (username, reseller_id, timezone, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
          [username, resellerId, timezone, Date.now()],
        );
        return { id: Number(rows[0]?.id), username, resellerId, timezone, webhookKey: null };
      }),
    findCustomer: (username) =>
      run(async () => {
        if (!storable(username)) return null;
        const { rows } = await pool.query<{ id: string; username: string; reseller_id: string; timezone: string; webhook_key: string | null }>(
          'SELECT id, username, reseller_id, timezone, webhook_key FROM customers WHERE username = $1 AND deleted_at IS NULL',
          [username],
        );
        const r = rows[0];
        return r ? { id: Number(r.id), username: r.username, resellerId: Number(r.reseller_id), timezone: r.timezone, webhookKey: r.webhook_key } : null;
      }),
    rotateKey: (apiUser, salt, hash, digest) =>
      run(async () => {
        if (!storable(apiUser)) return false;
        const r = await pool.query('UPDATE resellers SET key_salt = $1, key_hash = $2, key_digest = $3, session_version = session_version + 1 WHERE api_user = $4', [salt, hash, digest, apiUser]);
        return r.rowCount === 1;
      }),
    endSessions: (account) =>
      run(async () => {
        // The table comes from the fixed kind, never from input.
        const table = account.kind === 'customer' ? 'customers' : 'resellers';
        await pool.query(`UPDATE ${table} SET session_version = session_version + 1 WHERE id = $1`, [account.id]);
      }),
    setWebhookKey: (username, pem) =>
      run(async () => {
        if (!storable(username)) return false;
        const r = await pool.query('UPDATE customers SET webhook_key = $1 WHERE username = $2 AND deleted_at IS NULL', [pem, username]);
        return r.rowCount === 1;
      }),
    applyBatch: (customer, events, rejected, now, resolved = []) =>
      run(() => withClient(pool, (client) => applyBatchPostgres(client, customer, events, rejected, now.getTime(), resolved, options.retentionMs, limits))),
    pruneExpired: (cutoff, limit) =>
      run(async () => {
        // One process prunes at a time (the others find the lock taken and skip this round);
        // one short statement per customer and table, so ingest is never held up for long.
        return withClient(pool, async (client) => {
          const { rows: lock } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [...PRUNE_LOCK]);
          if (!lock[0]?.ok) return 0;
          try {
            let deleted = 0;
            const { rows } = await client.query<{ id: string }>('SELECT id FROM customers ORDER BY id');
            for (const { id } of rows) {
              for (const [table, key] of [['event_fingerprints', 'fingerprint'], ['first_seen', 'kind, message']] as const) {
                if (deleted >= limit) return deleted;
                const r = await client.query(
                  `DELETE FROM ${table} WHERE customer_id = $1 AND (${key}) IN
                     (SELECT ${key} FROM ${table} WHERE customer_id = $1 AND received_at < $2 LIMIT $3)`,
                  [id, cutoff.getTime(), limit - deleted],
                );
                deleted += r.rowCount ?? 0;
              }
            }
            return deleted;
          } finally {
            await client.query('SELECT pg_advisory_unlock($1, $2)', [...PRUNE_LOCK]);
          }
        });
      }),
    pruneQuarantine: (cutoff, limit) =>
      run(() =>
        pruneRound(async (client, id, room) => {
          const r = await client.query(
            `DELETE FROM quarantine WHERE customer_id = $1 AND id IN
               (SELECT id FROM quarantine WHERE customer_id = $1 AND received_at < $2 LIMIT $3)`,
            [id, cutoff.getTime(), room],
          );
          return r.rowCount ?? 0;
        }, limit),
      ),
    ...(model ? { readCacheStats: () => model.stats() } : {}),
    daily: (customerId, range, metrics) =>
      run(async () => {
        if (model) return model.daily(customerId, range, metricList(metrics));
        const { rows } = await pool.query(`SELECT day, ${metricList(metrics).join(', ')} FROM daily_stats WHERE customer_id = $1 AND day BETWEEN $2 AND $3`, [
          customerId,
          range.from,
          range.to,
        ]);
        return new Map(rows.map((r: Record<string, unknown>) => [Number(r.day), toRow(r)]));
      }),
    categoryDaily: (customerId, categories, range, metrics) =>
      run(async () => {
        if (model) return model.categoryDaily(customerId, categories, range, metricList(metrics));
        const out = new Map<string, Map<number, MetricRow>>();
        const names = categories.filter(storable);
        if (names.length === 0) return out;
        const { rows } = await pool.query(
          `SELECT category, day, ${metricList(metrics).join(', ')} FROM category_daily_stats
           WHERE customer_id = $1 AND category = ANY($2::text[]) AND day BETWEEN $3 AND $4`,
          [customerId, names, range.from, range.to],
        );
        for (const [name, days] of byNameAndDay(rows as Array<Record<string, unknown>>, 'category')) out.set(name, days);
        return out;
      }),
    providerDaily: (customerId, range) =>
      run(async () => {
        const out = new Map<string, Map<number, MetricRow>>();
        const { rows } = await pool.query(`SELECT provider, day, ${METRIC_COLUMNS} FROM provider_daily_stats WHERE customer_id = $1 AND day BETWEEN $2 AND $3`, [customerId, range.from, range.to]);
        for (const [name, days] of byNameAndDay(rows as Array<Record<string, unknown>>, 'provider')) out.set(name, days);
        return out;
      }),
    sumsByCustomer: (resellerId, range) =>
      run(async () => {
        const { rows } = await pool.query(
          `SELECT d.customer_id, ${SUM_ALL} FROM daily_stats d JOIN customers c ON c.id = d.customer_id
           WHERE c.reseller_id = $1 AND d.day BETWEEN $2 AND $3 GROUP BY d.customer_id`,
          [resellerId, range.from, range.to],
        );
        return new Map(rows.map((r: Record<string, unknown>) => [Number(r.customer_id), toRow(r)]));
      }),
    resellerDaily: (resellerId, range) =>
      run(async () => {
        const { rows } = await pool.query(
          `SELECT day, ${SUM_ALL} FROM daily_stats
           WHERE customer_id IN (SELECT id FROM customers WHERE reseller_id = $1) AND day BETWEEN $2 AND $3 GROUP BY day`,
          [resellerId, range.from, range.to],
        );
        return new Map(rows.map((r: Record<string, unknown>) => [Number(r.day), toRow(r)]));
      }),
    resellerCategoryDaily: (resellerId, categories, range) =>
      run(async () => {
        const out = new Map<string, Map<number, MetricRow>>();
        const names = categories.filter(storable);
        if (names.length === 0) return out;
        const { rows } = await pool.query(
          `SELECT category, day, ${SUM_ALL} FROM category_daily_stats
           WHERE customer_id IN (SELECT id FROM customers WHERE reseller_id = $1) AND category = ANY($2::text[])
             AND day BETWEEN $3 AND $4 GROUP BY category, day`,
          [resellerId, names, range.from, range.to],
        );
        for (const [name, days] of byNameAndDay(rows as Array<Record<string, unknown>>, 'category')) out.set(name, days);
        return out;
      }),
    resellerKnownCategories: (resellerId, names) =>
      run(async () => {
        const valid = names.filter(storable);
        if (valid.length === 0) return new Set<string>();
        const { rows } = await pool.query<{ category: string }>(
          `SELECT DISTINCT category FROM customer_categories
           WHERE customer_id IN (SELECT id FROM customers WHERE reseller_id = $1) AND category = ANY($2::text[])`,
          [resellerId, valid],
        );
        return new Set(rows.map((r) => r.category));
      }),
    categorySums: (customerId, range, names) =>
      run(async () => {
        const only = names?.filter(storable);
        if (only?.length === 0) return new Map<string, MetricRow>();
        const { rows } = await pool.query(
          `SELECT category, ${SUM_ALL} FROM category_daily_stats WHERE customer_id = $1 AND day BETWEEN $2 AND $3
           ${only ? 'AND category = ANY($4::text[])' : ''} GROUP BY category`,
          only ? [customerId, range.from, range.to, only] : [customerId, range.from, range.to],
        );
        return new Map(rows.map((r: Record<string, unknown>) => [String(r.category), toRow(r)]));
      }),
    aggregate: (customerId, metrics, throughDay = LAST_DAY) =>
      run(async () => {
        if (model) return model.aggregate(customerId, metricList(metrics), throughDay);
        const { rows } = await pool.query(`SELECT ${sums(metricList(metrics))} FROM daily_stats WHERE customer_id = $1 AND day <= $2`, [customerId, throughDay]);
        return toRow(rows[0] as Record<string, unknown>);
      }),
    categoryAggregate: (customerId, categories, metrics, throughDay = LAST_DAY) =>
      run(async () => {
        if (model) return model.categoryAggregate(customerId, categories, metricList(metrics), throughDay);
        const names = categories.filter(storable);
        if (names.length === 0) return new Map<string, MetricRow>();
        const { rows } = await pool.query(
          `SELECT category, ${sums(metricList(metrics))} FROM category_daily_stats WHERE customer_id = $1 AND category = ANY($2::text[]) AND day <= $3 GROUP BY category`,
          [customerId, names, throughDay],
        );
        return new Map(rows.map((r: Record<string, unknown>) => [String(r.category), toRow(r)]));
      }),
    categories: (customerId, page) =>
      run(async () => {
        // `>= ''` is every name (the empty one included); `> $2` the names after a page.
        const { rows } = page
          ? await pool.query<{ category: string }>(
              `SELECT category FROM customer_categories WHERE customer_id = $1 AND category ${page.after === null ? '>=' : '>'} $2 ORDER BY category LIMIT $3`,
              [customerId, page.after ?? '', page.limit],
            )
          : await pool.query<{ category: string }>('SELECT category FROM customer_categories WHERE customer_id = $1 ORDER BY category', [customerId]);
        return rows.map((r) => r.category);
      }),
    categorySumsPage: (customerId, range, page, metrics) =>
      run(async () => {
        const { rows } = await pool.query(
          `SELECT p.category, ${sums(metricList(metrics))}
           FROM (SELECT category FROM customer_categories WHERE customer_id = $1 AND category ${page.after === null ? '>=' : '>'} $2
                 ORDER BY category LIMIT $3) p
           LEFT JOIN category_daily_stats s ON s.customer_id = $1 AND s.category = p.category AND s.day BETWEEN $4 AND $5
           GROUP BY p.category ORDER BY p.category`,
          [customerId, page.after ?? '', page.limit, range.from, range.to],
        );
        return rows.map((r: Record<string, unknown>) => ({ name: String(r.category), row: toRow(r) }));
      }),
    knownCategories: (customerId, names) =>
      run(async () => {
        if (model) return model.knownCategories(customerId, names);
        const valid = names.filter(storable);
        if (valid.length === 0) return new Set<string>();
        const { rows } = await pool.query<{ category: string }>(
          'SELECT category FROM customer_categories WHERE customer_id = $1 AND category = ANY($2::text[])',
          [customerId, valid],
        );
        return new Set(rows.map((r) => r.category));
      }),
    quarantined: (customerId, limit, afterId = 0) =>
      run(async () => {
        const { rows } = await pool.query<{ id: string; batch_index: number; reason: string; payload: string; received_at: string }>(
          'SELECT id, batch_index, reason, payload, received_at FROM quarantine WHERE customer_id = $1 AND id > $3 ORDER BY id LIMIT $2',
          [customerId, limit, afterId],
        );
        return rows.map((r) => ({ id: Number(r.id), index: r.batch_index, error: r.reason, payload: r.payload, receivedAt: new Date(Number(r.received_at)) }));
      }),
    schemaVersion: () =>
      run(async () => {
        const { rows } = await pool.query<{ version: number }>(SCHEMA_VERSION_SQL);
        return Number(rows[0]?.version ?? 0);
      }),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: options.poolSize ?? 10 }),
    close: () => pool.end(),
  };
}
