// The installation behind the mixed read row: 1,000 customers of one reseller, each with daily
// and category rollups (4 categories) over the last HISTORY_DAYS days, written in bulk with SQL
// (the first customer and the reseller through the CLI, so the schema is the server's). Values
// differ per customer and day so that no two answers are the same bytes.
import Database from 'better-sqlite3';
import { categoryName, rng } from './events.js';
import { API_KEY, API_USER, setupInstallation } from './server.js';

export const MIXED_HISTORY_DAYS = 200;
export const MIXED_CATEGORIES = 4;

export async function buildMixedDb(path: string, customers: number): Promise<void> {
  await setupInstallation({ db: path }, 1);
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const reseller = (db.prepare('SELECT id FROM resellers WHERE api_user = ?').get(API_USER) as { id: number }).id;
    const addCustomer = db.prepare("INSERT INTO customers (username, reseller_id, timezone, created_at) VALUES (?, ?, 'UTC', ?)");
    const today = Math.floor(Date.now() / 86_400_000);
    const series = (limit: string): string => `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ${limit})`;
    const daily = db.prepare(
      `${series('@days')} INSERT INTO daily_stats (customer_id, day, requests, processed, delivered, deferred, bounces, blocks, opens,
         machine_opens, unique_opens, clicks, unique_clicks, spamreports, unsubscribes, repeat_bounces, invalid_email)
       SELECT @cid, @today - i, p, p, p * 95 / 100, p / 20, p / 50, p / 100, p * 6 / 10, p / 10, p * 4 / 10, p / 10, p / 12,
              p / 300, p / 150, p / 200, p / 200 FROM (SELECT i, 100 + (@cid * 37 + i * 11) % 5000 AS p FROM s)`,
    );
    const categoryDaily = db.prepare(
      `${series('@days * @cats')} INSERT INTO category_daily_stats (customer_id, category, day, requests, processed, delivered, bounces, opens,
         unique_opens, clicks, unique_clicks, spamreports)
       SELECT @cid, printf('category-%02d', i % @cats), @today - i / @cats, q, q, q * 95 / 100, q / 50, q * 6 / 10, q * 4 / 10,
              q / 10, q / 12, q / 300 FROM (SELECT i, 10 + (@cid * 13 + i * 7) % 900 AS q FROM s)`,
    );
    const category = db.prepare('INSERT INTO customer_categories (customer_id, category) VALUES (?, ?) ON CONFLICT DO NOTHING');
    db.transaction(() => {
      const ids = [(db.prepare("SELECT id FROM customers WHERE username = 'c1'").get() as { id: number }).id];
      for (let i = 2; i <= customers; i++) ids.push(Number(addCustomer.run(`c${i}`, reseller, Date.now()).lastInsertRowid));
      for (const cid of ids) {
        // BigInt binds as INTEGER (a JS number binds as REAL): integer days and integer counts.
        const ints = { cid: BigInt(cid), days: BigInt(MIXED_HISTORY_DAYS), today: BigInt(today) };
        daily.run(ints);
        categoryDaily.run({ ...ints, cats: BigInt(MIXED_CATEGORIES) });
        for (let c = 0; c < MIXED_CATEGORIES; c++) category.run(cid, categoryName(c));
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** `count` request paths of the mixed load (see mixed-reads.ts), deterministic for a seed. */
const iso = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);

export function mixedPaths(count: number, customers: number, seed: number): string[] {
  const rand = rng(seed);
  const today = Math.floor(Date.now() / 86_400_000);
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const user = `c${1 + Math.floor(rand() * customers)}`;
    const xml = rand() < 0.1;
    const kind = rand();
    let extra: string;
    if (kind < 0.05) extra = 'aggregate=1';
    else {
      const days = 1 + Math.floor(rand() * 90);
      const end = today - Math.floor(rand() * 20);
      extra = `start_date=${iso(end - days + 1)}&end_date=${iso(end)}`;
      if (kind < 0.35) {
        const a = Math.floor(rand() * MIXED_CATEGORIES);
        const b = (a + 1 + Math.floor(rand() * (MIXED_CATEGORIES - 1))) % MIXED_CATEGORIES;
        extra += `&category=${categoryName(a)}&category=${categoryName(b)}`;
      }
    }
    out.push(`/api/distributor.manage.${xml ? 'xml' : 'json'}?api_user=${API_USER}&api_key=${API_KEY}&method=stats&user=${user}&${extra}`);
  }
  return out;
}

