// PostgreSQL for tests: each run gets a fresh database of its own, dropped after. Where no
// server is reachable the PostgreSQL suites are skipped with one visible line — except under
// CI=true, where that is a failure (CI must prove both backends).
import pg from 'pg';

export const PG_ADMIN_URL = process.env.MAILTALLY_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const problem = await probe();
if (problem !== null && process.env.CI === 'true') {
  throw new Error(`CI=true but PostgreSQL is not reachable at ${PG_ADMIN_URL}: ${problem}`);
}

/** Why the PostgreSQL suites are skipped, or false when they run. */
export const pgSkip: string | false = problem === null ? false : `PostgreSQL not reachable at ${PG_ADMIN_URL} (${problem}); skipping`;
if (pgSkip) process.stdout.write(`# ${pgSkip}\n`);

let counter = 0;

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `mailtally_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
