// The installation behind the read-model memory row (13): N customers of one reseller, each with
// MEMORY_DAYS (3 years) of daily rollups and three categories, written in bulk with one
// INSERT … SELECT per table: its CROSS JOIN loops (customers, categories, days, each scanned in
// key order) emit rows in primary-key order, so SQLite appends to its B-trees without a sort.
// The reseller and c1 come from the CLI (the server's schema). Categories are used the way
// senders use them, not every day: receipts daily, marketing on five weekdays of seven, a
// newsletter once a week; so the read model holds dense and sparse series. Values differ per
// customer and day (counts of a small to middling sender: 100–5,099 requests a day) so no two
// answers are the same bytes.
import Database from 'better-sqlite3';
import { API_USER, setupInstallation } from './server.js';

export const MEMORY_DAYS = 1_095;
/** [name, SQL condition on the day number d] */
export const MEMORY_CATEGORIES: ReadonlyArray<readonly [string, string]> = [
  ['receipts', '1'],
  ['marketing', 'd % 7 NOT IN (2, 3)'],
  ['newsletter', 'd % 7 = 4'],
];

export interface MemoryDb {
  dailyRows: number;
  categoryRows: number;
  bytes: number;
}

export async function buildMemoryDb(path: string, customers: number, today: number): Promise<MemoryDb> {
  await setupInstallation({ db: path }, 1);
  const db = new Database(path);
  try {
    // No journal while building (a scratch file): the rows go to the file once, not to a WAL and
    // then again at the checkpoint; the server turns WAL back on when it opens the file.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const reseller = (db.prepare('SELECT id FROM resellers WHERE api_user = ?').get(API_USER) as { id: number }).id;
    db.transaction(() => {
      db.prepare(
        `WITH RECURSIVE s(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
         INSERT INTO customers (username, reseller_id, timezone, created_at) SELECT 'c' || i, ?, 'UTC', ? FROM s`,
      ).run(customers, reseller, Date.now());
      db.exec('CREATE TEMP TABLE days (d INTEGER PRIMARY KEY)');
      db.prepare(`WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ?) INSERT INTO days SELECT ? - i FROM s`).run(
        MEMORY_DAYS,
        today,
      );
      db.exec(
        `INSERT INTO daily_stats (customer_id, day, requests, processed, delivered, deferred, bounces, blocks, opens,
           machine_opens, unique_opens, clicks, unique_clicks, spamreports, unsubscribes, repeat_bounces, invalid_email)
         SELECT cid, d, p, p, p * 95 / 100, p / 20, p / 50, p / 100, p * 6 / 10, p / 10, p * 4 / 10, p / 10, p / 12,
                p / 300, p / 150, p / 200, p / 200
         FROM (SELECT c.id AS cid, days.d AS d, 100 + (c.id * 37 + days.d * 11) % 5000 AS p
               FROM customers c CROSS JOIN days)`,
      );
      db.exec(`CREATE TEMP TABLE cats (name TEXT PRIMARY KEY, k INTEGER)`);
      const cat = db.prepare('INSERT INTO temp.cats VALUES (?, ?)');
      MEMORY_CATEGORIES.forEach(([name], k) => cat.run(name, k));
      const used = MEMORY_CATEGORIES.map(([name, cond]) => `(cats.name = '${name}' AND (${cond}))`).join(' OR ');
      db.exec(
        `INSERT INTO category_daily_stats (customer_id, category, day, requests, processed, delivered, bounces, opens,
           unique_opens, clicks, unique_clicks, spamreports)
         SELECT cid, name, d, q, q, q * 95 / 100, q / 50, q * 6 / 10, q * 4 / 10, q / 10, q / 12, q / 300
         FROM (SELECT c.id AS cid, cats.name AS name, days.d AS d, 10 + (c.id * 13 + days.d * 7 + cats.k * 101) % 900 AS q
               FROM customers c CROSS JOIN cats CROSS JOIN days WHERE ${used})`,
      );
      db.exec('INSERT INTO customer_categories (customer_id, category) SELECT c.id, cats.name FROM customers c CROSS JOIN cats ORDER BY c.id, cats.name');
    })();
    const count = (table: string): number => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const pages = db.pragma('page_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    return { dailyRows: count('daily_stats'), categoryRows: count('category_daily_stats'), bytes: pages * pageSize };
  } finally {
    db.close();
  }
}
