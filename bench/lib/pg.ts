// A fresh PostgreSQL database per run, dropped after (WITH (FORCE): a server still connected
// must not keep it alive).
import pg from 'pg';
import { PG_ADMIN_URL } from './env.js';

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createDatabase(): Promise<BenchDatabase> {
  const name = `mailtally_bench_${process.pid}_${Date.now().toString(36)}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))) };
}

/** The server's durability settings, quoted in the results. */
export async function pgSettings(): Promise<string> {
  return admin(async (c) => {
    const { rows } = await c.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'wal_sync_method', 'server_version') ORDER BY name",
    );
    return rows.map((r) => `${r.name}=${r.setting}`).join(', ');
  });
}
