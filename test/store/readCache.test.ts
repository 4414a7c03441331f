// The SQLite read cache is bounded by bytes (issue 10, item 2): least recently used entries go
// first, an entry too large for its share of the budget is never kept, and the accounted bytes
// never exceed the budget. First the class itself, then through a real SQLite store.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type NormalizedEvent, validateEvent } from '../../src/domain/events.js';
import { ENTRY_FRACTION, ReadCache } from '../../src/store/readCache.js';
import { openSqlite } from '../../src/store/sqlite.js';
import type { Customer, Store } from '../../src/store/types.js';
import { RETENTION_MS, type TempDir, addReseller, at, tempDir } from '../helpers.js';

function normalizeEvent(raw: Record<string, unknown>): NormalizedEvent {
  const v = validateEvent(raw, 'UTC');
  if (!v.ok) throw new Error(v.error);
  return v.event;
}

describe('ReadCache', () => {
  const BUDGET = 10_000;

  test('accounted bytes never exceed the budget; the least recently used entry goes first', () => {
    const cache = new ReadCache(() => undefined, BUDGET);
    let loads = 0;
    const get = (key: string): string => cache.get(1, key, () => (loads++, key), () => 900);
    for (let i = 0; i < 200; i++) {
      get(`k${i}`);
      get('k0'); // kept warm, so never the least recently used
      assert.ok(cache.stats().bytes <= BUDGET, `after ${i}: ${cache.stats().bytes} bytes`);
    }
    const s = cache.stats();
    assert.ok(s.entries > 1 && s.entries < 20, `${s.entries} entries`);
    assert.ok(s.evictions >= 180, `${s.evictions} evictions`);
    const before = loads;
    get('k0');
    assert.equal(loads, before, 'the warm entry survived');
    get('k1');
    assert.equal(loads, before + 1, 'an old entry was evicted and is loaded again');
  });

  test(`an entry larger than 1/${ENTRY_FRACTION} of the budget is answered but not kept`, () => {
    const cache = new ReadCache(() => undefined, BUDGET);
    let loads = 0;
    for (let i = 0; i < 3; i++) cache.get(1, 'big', () => ++loads, () => BUDGET / ENTRY_FRACTION + 1);
    assert.equal(loads, 3);
    assert.deepEqual([cache.stats().entries, cache.stats().bytes, cache.stats().misses], [0, 0, 3]);
  });

  test('a budget of 0 keeps nothing', () => {
    const cache = new ReadCache(() => undefined, 0);
    cache.get(1, 'k', () => 1, () => 1);
    assert.equal(cache.stats().entries, 0);
  });

  test('forget() and clear() (called by sync when an account changed) release the bytes', () => {
    let changed = false;
    const cache: ReadCache = new ReadCache(() => {
      if (changed) cache.clear();
      changed = false;
    }, BUDGET);
    cache.get(1, 'a', () => 1, () => 100);
    cache.get(2, 'b', () => 1, () => 100);
    cache.forget(1);
    assert.equal(cache.stats().entries, 1);
    const left = cache.stats().bytes;
    assert.ok(left > 0 && left < BUDGET);
    changed = true;
    cache.get(3, 'c', () => 1, () => 100);
    assert.equal(cache.stats().entries, 1, 'everything from before the change is gone');
    assert.ok(cache.stats().bytes <= left);
  });
});

describe('SQLite store with a small read cache', () => {
  // Reads are answered from per-customer series (a customer's whole daily history, and each of
  // its categories', as one entry each): ~2 KB per 400-day series here (two non-zero metrics of
  // one byte a day, series.ts), three per customer, so 30 customers need well over the 64 KiB
  // budget and the least recently used must go.
  const BUDGET = 64 * 1024;
  const CUSTOMERS = 30;
  let dir: TempDir;
  let store: Store;
  const customers: Customer[] = [];
  before(async () => {
    dir = tempDir();
    store = openSqlite(join(dir.path, 'cache.sqlite'), { retentionMs: RETENTION_MS, readCacheBytes: BUDGET });
    const reseller = await addReseller(store, 'r1', 'key-r1-secret');
    const start = at('2021-01-01T12:00:00Z');
    const events = Array.from({ length: 400 }, (_, i) =>
      normalizeEvent({ event: 'processed', timestamp: start + i * 86_400, email: 'a@x.test', sg_message_id: `m${i}`, category: ['a', 'b'] }),
    );
    for (let c = 1; c <= CUSTOMERS; c++) {
      const customer = await store.addCustomer(`c${c}`, reseller, 'UTC');
      await store.applyBatch(customer, events, [], new Date());
      customers.push(customer);
    }
  });
  after(async () => {
    await store.close();
    dir.cleanup();
  });

  test('many customers\' long-range reads stay within the budget, evict the least recently used, and still answer right', async () => {
    const from = at('2021-01-01T00:00:00Z') / 86_400;
    for (let i = 0; i < 300; i++) {
      const customer = customers[i % CUSTOMERS] as Customer;
      const range = { from: from + (i % 50), to: from + 399 - Math.floor(i / 50) };
      const daily = await store.daily(customer.id, range);
      assert.equal(daily.size, range.to - range.from + 1);
      assert.equal(daily.get(range.from)?.processed, 1);
      const byCategory = await store.categoryDaily(customer.id, ['a', 'b'], range);
      assert.equal(byCategory.get('b')?.size, range.to - range.from + 1);
      assert.equal((await store.aggregate(customer.id, undefined, range.to)).processed, range.to - from + 1);
      const s = store.readCacheStats?.();
      assert.ok(s && s.bytes <= BUDGET, `read ${i}: ${s?.bytes} bytes held, budget ${BUDGET}`);
    }
    const s = store.readCacheStats?.();
    assert.ok(s && s.evictions > 0 && s.misses >= CUSTOMERS * 3, JSON.stringify(s));
    // A different range of a customer just read is answered from the same series: a hit.
    const last = (customers[299 % CUSTOMERS] as Customer).id;
    await store.daily(last, { from, to: from + 9 });
    assert.equal(store.readCacheStats?.().hits, (s?.hits ?? 0) + 1);
    assert.equal(store.readCacheStats?.().misses, s?.misses);
  });
});
