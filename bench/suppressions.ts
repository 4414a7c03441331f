// Row 9: a suppression list of 1,000,000 addresses (issue 14 item 6) pages in constant time per
// page: the first page against a page deep in the list, for the keyset paths (newest first, as
// v1 and the v3 first page read it; address order, as the dashboard reads it), through the
// store on SQLite. The v3 `offset` path is shown too: it reaches a deep offset by keyset hops
// of 10,000 entries, so it grows with the offset (info only). Rows are generated with SQL.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { offsetPage } from '../src/services/suppressionLists.js';
import { openSqlite } from '../src/store/sqlite.js';
import type { Store } from '../src/store/types.js';
import { QUICK, type RowResult, fmt, log, runRow, tempDir } from './lib/env.js';

const SIZE = Number(process.env.BENCH_LIST_SIZE ?? (QUICK ? 100_000 : 1_000_000));
const PAGE = 500;
const REPS = 30;

async function median(fn: () => Promise<unknown>, reps = REPS): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(reps / 2)] as number;
}

await runRow('suppressions', async (): Promise<RowResult[]> => {
  const dir = tempDir('suppressions');
  try {
    const path = join(dir.path, 'lists.sqlite');
    let store: Store = openSqlite(path, { retentionMs: 7 * 86_400_000 });
    await store.addReseller('r1', Buffer.from('s'), Buffer.from('h'));
    const customer = await store.addCustomer('c1', (await store.findReseller('r1'))!.id, 'UTC');
    await store.close();
    const built = performance.now();
    const db = new Database(path);
    const insert = db.prepare("INSERT INTO suppressions (customer_id, list, email, status, reason, first_added, created) VALUES (?, 'bounces', ?, '5.1.1', '550 5.1.1 unknown user', ?, ?)");
    const start = 1_700_000_000;
    db.transaction(() => {
      // Several addresses per second, as a real list has ties on `created`.
      for (let i = 0; i < SIZE; i++) insert.run(customer.id, `user${String(i).padStart(7, '0')}@example${i % 50}.com`, start + Math.floor(i / 3), start + Math.floor(i / 3));
    })();
    db.close();
    log('suppressions', `${SIZE} addresses built in ${((performance.now() - built) / 1000).toFixed(1)} s`);

    store = openSqlite(path, { retentionMs: 7 * 86_400_000 });
    // Near the oldest end: the newest-first page that starts ~1,500 entries before the last.
    const deepKey = { created: start + Math.floor(1500 / 3), email: 'user9999999@example0.com' };
    const deepAddress = `user${String(SIZE - 1000).padStart(7, '0')}@`;
    const newest1 = await median(() => store.suppressions(customer.id, { list: 'bounces', limit: PAGE }));
    const newestDeep = await median(() => store.suppressions(customer.id, { list: 'bounces', limit: PAGE, after: deepKey }));
    const address1 = await median(() => store.suppressionsByAddress(customer.id, { list: 'bounces', prefix: '', limit: PAGE }));
    const addressDeep = await median(() => store.suppressionsByAddress(customer.id, { list: 'bounces', prefix: '', after: deepAddress, limit: PAGE }));
    const deepCount = (await store.suppressions(customer.id, { list: 'bounces', limit: PAGE, after: deepKey })).length;
    const offset0 = await median(() => offsetPage(store, customer.id, 'bounces', { limit: PAGE, offset: 0 }));
    const offsetDeep = await median(() => offsetPage(store, customer.id, 'bounces', { limit: PAGE, offset: SIZE - 1000 }), 3);
    await store.close();
    const size = fmt.int(SIZE);
    return [
      {
        row: '12a',
        what: `suppression list of ${size}: ${PAGE}-entry page newest first (v1 slices), deep page vs first`,
        measured: `deep ${fmt.ms(newestDeep)} (${deepCount} entries)`,
        baseline: `first ${fmt.ms(newest1)}`,
        ratio: fmt.ratio(newestDeep / newest1),
        target: '< 1.5×',
        pass: newestDeep / newest1 < 1.5,
      },
      {
        row: '12b',
        what: `suppression list of ${size}: ${PAGE}-entry page in address order (dashboard), deep page vs first`,
        measured: `deep ${fmt.ms(addressDeep)}`,
        baseline: `first ${fmt.ms(address1)}`,
        ratio: fmt.ratio(addressDeep / address1),
        target: '< 1.5×',
        pass: addressDeep / address1 < 1.5,
      },
      {
        row: '12c',
        what: `suppression list of ${size}: v3 offset ${fmt.int(SIZE - 1000)} vs offset 0 (keyset hops of 10,000)`,
        measured: fmt.ms(offsetDeep),
        baseline: fmt.ms(offset0),
        ratio: fmt.ratio(offsetDeep / offset0),
        target: 'info: grows with the offset; the event loop turns between hops',
        pass: null,
      },
    ];
  } finally {
    dir.cleanup();
  }
});
