// A SQLite installation holding N events' worth of state, written in bulk with SQL rather than
// through the webhook (10^7 events through HTTP would take minutes): one fingerprint row per
// event, a first-open/click marker for every fifth, daily and category-daily rollups with 20
// categories over 400 days for c1 (up to 400 for the others). The reseller and the queried
// customer c1 are made with the CLI (so the schema is the one the server migrates to); c1 holds
// half of the events, other customers 100,000 each hold the rest. Deduplication state carries
// recent arrival times (the last six days), so a retention pruner has nothing to delete at start.
import Database from 'better-sqlite3';
import { CATEGORY_COUNT, categoryName } from './events.js';
import { API_USER, setupInstallation } from './server.js';

export const HISTORY_DAYS = 400;
const MIN_HISTORY_DAYS = 40;
const PER_OTHER_CUSTOMER = 100_000;

/** File name of an installation of `events` events, e.g. volume-1e7.sqlite. */
export const volumeDbName = (events: number): string => `volume-${events.toExponential().replace('+', '')}.sqlite`;

export interface VolumeDb {
  path: string;
  events: number;
  customers: number;
  bytes: number;
  buildSeconds: number;
}

export async function buildVolumeDb(path: string, events: number): Promise<VolumeDb> {
  const started = performance.now();
  await setupInstallation({ db: path }, 1);
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -524288');
    const reseller = (db.prepare('SELECT id FROM resellers WHERE api_user = ?').get(API_USER) as { id: number }).id;
    const c1 = (db.prepare("SELECT id FROM customers WHERE username = 'c1'").get() as { id: number }).id;

    const shares: Array<{ id: number; events: number }> = [{ id: c1, events: Math.ceil(events / 2) }];
    let rest = events - (shares[0] as { events: number }).events;
    const addCustomer = db.prepare("INSERT INTO customers (username, reseller_id, timezone, created_at) VALUES (?, ?, 'UTC', ?)");
    for (let i = 2; rest > 0; i++) {
      const n = Math.min(rest, PER_OTHER_CUSTOMER);
      shares.push({ id: Number(addCustomer.run(`c${i}`, reseller, Date.now()).lastInsertRowid), events: n });
      rest -= n;
    }

    const nowMs = Date.now();
    const today = Math.floor(nowMs / 86_400_000);
    const categoriesJson = JSON.stringify(Array.from({ length: CATEGORY_COUNT }, (_, i) => categoryName(i)));
    const series = (limit: string): string => `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ${limit})`;
    const fingerprints = db.prepare(
      `${series('@n')} INSERT INTO event_fingerprints (customer_id, fingerprint, received_at)
       SELECT @cid, randomblob(16), @now - abs(random() % 518400000) FROM s`,
    );
    const markers = db.prepare(
      `${series('@n')} INSERT INTO first_seen (customer_id, kind, message, ts, day, categories, received_at)
       SELECT @cid, CASE WHEN i % 4 = 0 THEN 'click' ELSE 'open' END, randomblob(16), (@today - i % 6) * 86400 + i % 86400,
              @today - i % 6, '["' || printf('category-%02d', i % 20) || '"]', @now - abs(random() % 518400000) FROM s`,
    );
    // Per day: requests ≈ n/days·0.3 and the rest in proportion, as the webhook mix produces.
    const daily = db.prepare(
      `${series('@days')} INSERT INTO daily_stats (customer_id, day, requests, processed, delivered, deferred, bounces, blocks, opens,
         machine_opens, unique_opens, clicks, unique_clicks, spamreports, unsubscribes, repeat_bounces, invalid_email)
       SELECT @cid, @today - i, @p, @p, @p * 95 / 100, @p / 20, @p / 50, @p / 100, @p * 6 / 10, @p / 10, @p * 4 / 10, @p / 10, @p / 12,
              @p / 300, @p / 150, @p / 200, @p / 200 FROM s`,
    );
    const categoryDaily = db.prepare(
      `${series('@days * @cats')} INSERT INTO category_daily_stats (customer_id, category, day, requests, processed, delivered, bounces, opens,
         unique_opens, clicks, unique_clicks, spamreports)
       SELECT @cid, printf('category-%02d', i % @cats), @today - i / @cats, @q, @q, @q * 95 / 100, @q / 50, @q * 6 / 10, @q * 4 / 10,
              @q / 10, @q / 12, @q / 300 FROM s`,
    );
    const categories = db.prepare(`INSERT INTO customer_categories (customer_id, category) SELECT @cid, value FROM json_each(@list)`);

    for (const { id, events: n } of shares) {
      db.transaction(() => {
        fingerprints.run({ cid: id, n, now: nowMs });
        markers.run({ cid: id, n: Math.max(1, Math.floor(n / 5)), now: nowMs, today });
        // Every customer has all 20 categories on every day of its history; c1, the customer
        // queried, always has 400 days, so its answers have the same shape at every volume.
        const days = id === c1 ? HISTORY_DAYS : Math.max(MIN_HISTORY_DAYS, Math.min(HISTORY_DAYS, Math.floor(n / 30)));
        const perDay = Math.max(1, Math.floor((n * 0.3) / days));
        daily.run({ cid: id, days, today, p: BigInt(perDay) }); // BigInt binds as INTEGER: integer division below
        const cats = CATEGORY_COUNT;
        categoryDaily.run({ cid: id, days, cats, today, q: BigInt(Math.max(1, Math.floor((perDay * 1.3) / cats))) });
        categories.run({ cid: id, list: categoriesJson });
      })();
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = db.pragma('page_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    return { path, events, customers: shares.length, bytes: pages * pageSize, buildSeconds: (performance.now() - started) / 1000 };
  } finally {
    db.close();
  }
}
