// The SQLite writer thread (issue 15): batches applied off the event loop on their own
// connection, those that arrive together committed together, each in a savepoint of its own; and
// the read model told exactly which customers changed, so one customer's ingest does not empty
// the others' cached series.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type NormalizedEvent, validateEvent } from '../../src/domain/events.js';
import { openSqlite } from '../../src/store/sqlite.js';
import type { Customer, Store } from '../../src/store/types.js';
import { RETENTION_MS, type TempDir, addReseller, at, tempDir } from '../helpers.js';

const DAY = at('2024-03-01T12:00:00Z');
const range = { from: Math.floor(DAY / 86_400) - 1, to: Math.floor(DAY / 86_400) + 1 };

function ev(i: number, extra: Record<string, unknown> = {}): NormalizedEvent {
  const v = validateEvent({ event: 'delivered', timestamp: DAY + i, email: `u${i}@x.test`, sg_message_id: `m${i}`, ...extra }, 'UTC');
  if (!v.ok) throw new Error(v.error);
  return v.event;
}
const batch = (from: number, n: number): NormalizedEvent[] => Array.from({ length: n }, (_, k) => ev(from + k));
const delivered = async (store: Store, c: Customer): Promise<number> => [...(await store.daily(c.id, range)).values()].reduce((s, r) => s + r.delivered, 0);

describe('SQLite writer thread', () => {
  let dir: TempDir;
  let store: Store;
  let other: Store; // another process's connection, writing in-thread
  let a: Customer;
  let b: Customer;
  before(async () => {
    dir = tempDir();
    const file = join(dir.path, 'writer.sqlite');
    store = openSqlite(file, { retentionMs: RETENTION_MS, writerThread: true });
    other = openSqlite(file, { retentionMs: RETENTION_MS });
    const reseller = await addReseller(store, 'r1', 'key-r1-secret');
    a = await store.addCustomer('a', reseller, 'UTC');
    b = await store.addCustomer('b', reseller, 'UTC');
  });
  after(async () => {
    await store.close();
    await other.close();
    dir.cleanup();
  });

  test('batches sent together are all counted once, in fewer commits than batches', async () => {
    assert.equal(store.writesOffThread, true);
    const before = store.writerStats?.() ?? { batches: 0, commits: 0 };
    const sent = Array.from({ length: 20 }, (_, k) => batch(k * 50, 50));
    const results = await Promise.all(sent.map((events) => store.applyBatch(a, events, [], new Date())));
    assert.deepEqual(results, sent.map(() => ({ accepted: 50, duplicates: 0 })));
    // The same again: every event is a duplicate, whichever group it lands in.
    const again = await Promise.all(sent.map((events) => store.applyBatch(a, events, [], new Date())));
    assert.deepEqual(again, sent.map(() => ({ accepted: 0, duplicates: 50 })));
    assert.equal(await delivered(store, a), 1000);
    assert.equal(await delivered(other, a), 1000, 'committed: another connection reads them');
    const stats = store.writerStats?.();
    assert.ok(stats);
    assert.equal(stats.batches - before.batches, 40);
    assert.ok(stats.commits - before.commits < 40, `40 batches sent 20 at a time took ${stats.commits - before.commits} commits`);
  });

  test('a batch that fails is answered with its error; the others of its group are committed', async () => {
    const bad = [ev(5000), { ...ev(5001), day: Number.NaN }]; // a day SQLite refuses (NOT NULL)
    const settled = await Promise.allSettled([store.applyBatch(b, batch(6000, 10), [], new Date()), store.applyBatch(b, bad, [], new Date()), store.applyBatch(b, batch(7000, 10), [], new Date())]);
    assert.equal(settled[0].status, 'fulfilled');
    assert.equal(settled[1].status, 'rejected');
    assert.equal(settled[2].status, 'fulfilled');
    assert.equal(await delivered(store, b), 20);
    // Nothing of the failed batch was kept: its valid event counts when sent again.
    assert.deepEqual(await store.applyBatch(b, [ev(5000)], [], new Date()), { accepted: 1, duplicates: 0 });
    assert.equal(await delivered(store, b), 21);
  });

  test("one customer's batches leave the other customers' series in memory; another connection's change to a customer is seen at once", async () => {
    await delivered(store, b); // b's series loaded
    const hitsBefore = store.readCacheStats?.().hits ?? 0;
    const missesBefore = store.readCacheStats?.().misses ?? 0;
    await store.applyBatch(a, batch(9000, 5), [], new Date());
    assert.equal(await delivered(store, b), 21);
    const s = store.readCacheStats?.();
    assert.ok(s);
    assert.equal(s.misses, missesBefore, "b's series was not dropped by a's commit");
    assert.ok(s.hits > hitsBefore);
    assert.equal(await delivered(store, a), 1005, "a's series was dropped and read again");
    // Another process applies for b, and disables a: both seen on the next read.
    await other.applyBatch(b, batch(9500, 3), [], new Date());
    assert.equal(await delivered(store, b), 24);
    assert.equal((await store.findCustomerAccount('a'))?.disabled, false);
    await other.setCustomerDisabled('a', true);
    assert.equal((await store.findCustomerAccount('a'))?.disabled, true);
  });

  test('prune rounds run on the writer thread; close() lets batches sent before it finish', async () => {
    assert.equal(await store.pruneExpired(new Date(Date.now() + 2 * RETENTION_MS), 1_000_000), 1000 + 21 + 5 + 3);
    const file = join(dir.path, 'close.sqlite');
    const s = openSqlite(file, { retentionMs: RETENTION_MS, writerThread: true });
    const c = await s.addCustomer('c', await addReseller(s, 'r2', 'key-r2-secret'), 'UTC');
    const pending = s.applyBatch(c, batch(0, 100), [], new Date());
    await s.close();
    assert.deepEqual(await pending, { accepted: 100, duplicates: 0 });
    const reopened = openSqlite(file, { retentionMs: RETENTION_MS });
    try {
      assert.equal(await delivered(reopened, c), 100);
    } finally {
      await reopened.close();
    }
  });
});
