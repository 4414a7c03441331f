// Shared set-up for tests: a real database (a SQLite file in a fresh temp folder, or with
// MAILTALLY_TEST_BACKEND=postgres a fresh PostgreSQL database), the real app, a fixed clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { hashApiKey } from '../src/auth/keys.js';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { StoreLocation } from '../src/store/index.js';
import { openPostgres } from '../src/store/postgres.js';
import { openSqlite } from '../src/store/sqlite.js';
import type { Customer, Store } from '../src/store/types.js';
import { createTestDatabase } from './pg.js';

export const RETENTION_MS = 7 * 86_400_000;

export interface TempDir {
  path: string;
  cleanup(): void;
}

export function tempDir(prefix = 'mailtally-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export function openTempSqlite(dir: TempDir, name = 'test.sqlite'): Store {
  return openSqlite(join(dir.path, name), { retentionMs: RETENTION_MS });
}

/** The backend API suites run on; test/postgres/api.test.ts reruns them with 'postgres'. */
export const TEST_BACKEND: 'sqlite' | 'postgres' = process.env.MAILTALLY_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

export interface TestStore {
  store: Store;
  /** Where the store lives, for a second process to open the same database. */
  location: StoreLocation;
  /** Runs read-only SQL (no parameters) on the database; integers come back as numbers. */
  sql(text: string): Promise<Array<Record<string, unknown>>>;
  cleanup(): Promise<void>;
}

// int8 (BIGSERIAL ids, BIGINT counters) as numbers, as SQLite returns them.
const numericTypes = { getTypeParser: (oid: number, format?: string) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text')) };

export async function openTestStore(dir: TempDir): Promise<TestStore> {
  if (TEST_BACKEND === 'sqlite') {
    const path = join(dir.path, 'test.sqlite');
    // As `serve` opens it: batches applied by the writer thread (MAILTALLY_WRITER_THREAD=0 in
    // the environment runs the suites with them applied on the event loop instead).
    const store = openSqlite(path, { retentionMs: RETENTION_MS, writerThread: process.env.MAILTALLY_WRITER_THREAD !== '0' });
    return {
      store,
      location: { dbPath: path },
      sql: async (text) => {
        const db = new Database(path, { readonly: true });
        try {
          return db.prepare(text).all() as Array<Record<string, unknown>>;
        } finally {
          db.close();
        }
      },
      cleanup: () => store.close(),
    };
  }
  const database = await createTestDatabase();
  const store = await openPostgres(database.url, { retentionMs: RETENTION_MS, poolSize: 4 });
  return {
    store,
    location: { dbPath: '', databaseUrl: database.url },
    sql: async (text) => {
      const client = new pg.Client({ connectionString: database.url, types: numericTypes });
      await client.connect();
      try {
        return (await client.query(text)).rows as Array<Record<string, unknown>>;
      } finally {
        await client.end();
      }
    },
    cleanup: async () => {
      await store.close();
      await database.drop();
    },
  };
}

export async function addReseller(store: Store, apiUser: string, apiKey: string): Promise<number> {
  const { salt, hash } = await hashApiKey(apiKey);
  await store.addReseller(apiUser, salt, hash);
  const r = await store.findReseller(apiUser);
  if (!r) throw new Error('reseller not stored');
  return r.id;
}

export interface Fixture extends TestStore {
  dir: TempDir;
  store: Store;
  app: FastifyInstance;
  /** Mutable clock the app reads. */
  clock: { now: Date };
  customer: Customer;
  close(): Promise<void>;
}

/**
 * A store with reseller r1 (key `key-r1-secret`) owning customer c1, reseller r2 (key
 * `key-r2-secret`) owning customer c2, and an app on it whose clock is `now`.
 */
export async function fixture(now: Date, options: { timezone?: string } = {}): Promise<Fixture> {
  const dir = tempDir();
  const testStore = await openTestStore(dir);
  const { store } = testStore;
  const r1 = await addReseller(store, 'r1', 'key-r1-secret');
  const r2 = await addReseller(store, 'r2', 'key-r2-secret');
  const customer = await store.addCustomer('c1', r1, options.timezone ?? 'UTC');
  await store.addCustomer('c2', r2, 'UTC');
  const clock = { now };
  const app = await buildApp({ store, now: () => clock.now });
  return {
    ...testStore,
    dir,
    app,
    clock,
    customer,
    close: async () => {
      await app.close();
      await testStore.cleanup();
      dir.cleanup();
    },
  };
}

export const R1 = { api_user: 'r1', api_key: 'key-r1-secret' };
export const basicAuth = (user: string, key: string): string => `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;

/** POST events to the webhook as r1 for `user` (default c1). */
export async function postEvents(app: FastifyInstance, events: unknown, user = 'c1'): Promise<{ status: number; body: any }> {
  const res = await app.inject({
    method: 'POST',
    url: `/webhooks/events?user=${encodeURIComponent(user)}`,
    headers: { authorization: basicAuth('r1', 'key-r1-secret'), 'content-type': 'application/json' },
    payload: JSON.stringify(events),
  });
  return { status: res.statusCode, body: res.json() };
}

/** GET a stats call as r1; params are added to the query string (arrays as repeated keys). */
export async function stats(app: FastifyInstance, format: 'json' | 'xml', params: Record<string, string | string[]>) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...R1, method: 'stats', user: 'c1', ...params })) {
    for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
  }
  return app.inject({ method: 'GET', url: `/api/distributor.manage.${format}?${qs}` });
}

/** Unix seconds of a UTC date-time. */
export const at = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
