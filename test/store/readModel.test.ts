// Reads from memory (issue 15): the per-customer series must answer exactly what SQL answers,
// for any range, metric subset, category list and running total, and must see a commit made
// through another connection to the same file (another process: the CLI, an import) on the
// very next read. Two stores share one file: one serves from series (default budget), the other
// reads SQL directly (budget 0); both are asked the same questions.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type NormalizedEvent, validateEvent } from '../../src/domain/events.js';
import { METRICS, type Metric } from '../../src/domain/metrics.js';
import { openPostgres } from '../../src/store/postgres.js';
import { openSqlite } from '../../src/store/sqlite.js';
import type { Customer, Store } from '../../src/store/types.js';
import { RETENTION_MS, type TempDir, addReseller, at, tempDir } from '../helpers.js';
import { type TestDatabase, createTestDatabase, pgSkip } from '../pg.js';

function ev(raw: Record<string, unknown>): NormalizedEvent {
  const v = validateEvent(raw, 'UTC');
  if (!v.ok) throw new Error(v.error);
  return v.event;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS = ['processed', 'delivered', 'open', 'click', 'bounce', 'spamreport', 'unsubscribe', 'deferred'];
const START = at('2024-01-01T00:00:00Z');
const FROM = START / 86_400;

interface ReadModelBackend {
  name: string;
  skip: string | false;
  /** Three stores on one database: default budget, budget 0 (SQL), a tight budget; and cleanup. */
  open(): Promise<{ memory: Store; direct: Store; tight: Store; cleanup(): Promise<void> }>;
}

const readModelBackends: ReadModelBackend[] = [
  {
    name: 'SQLite',
    skip: false,
    open: async () => {
      const dir: TempDir = tempDir();
      const file = join(dir.path, 'model.sqlite');
      const stores = [
        openSqlite(file, { retentionMs: RETENTION_MS }),
        openSqlite(file, { retentionMs: RETENTION_MS, readCacheBytes: 0 }),
        openSqlite(file, { retentionMs: RETENTION_MS, readCacheBytes: 48 * 1024 }),
      ] as const;
      return { memory: stores[0], direct: stores[1], tight: stores[2], cleanup: async () => { for (const s of stores) await s.close(); dir.cleanup(); } };
    },
  },
  {
    // Each store is its own pool: as far as the others know, another process.
    name: 'PostgreSQL',
    skip: pgSkip,
    open: async () => {
      const db: TestDatabase = await createTestDatabase();
      const memory = await openPostgres(db.url, { retentionMs: RETENTION_MS, poolSize: 4 });
      const direct = await openPostgres(db.url, { retentionMs: RETENTION_MS, poolSize: 4, readCacheBytes: 0 });
      const tight = await openPostgres(db.url, { retentionMs: RETENTION_MS, poolSize: 4, readCacheBytes: 48 * 1024 });
      return { memory, direct, tight, cleanup: async () => { for (const s of [memory, direct, tight]) await s.close(); await db.drop(); } };
    },
  },
];

for (const backend of readModelBackends) describe(`${backend.name} read model: series answers equal SQL answers, and see other connections at once`, { skip: backend.skip }, () => {
  let cleanup: () => Promise<void>;
  let memory: Store;
  let direct: Store;
  // A budget too small for the series a category question needs: held ones, loaded ones and
  // direct range reads mix within one call (sqlite.ts, categorySeriesFor). A category's series is
  // ~4 KB here (series.ts), so one call's share (budget / 8 = 6 KiB) holds one or two of three.
  let tight: Store;
  let customer: Customer;
  before(async () => {
    ({ memory, direct, tight, cleanup } = await backend.open());
    customer = await memory.addCustomer('c1', await addReseller(memory, 'r1', 'key-r1-secret'), 'UTC');
    const rand = rng(7);
    const events = Array.from({ length: 1500 }, (_, i) => {
      const kind = KINDS[Math.floor(rand() * KINDS.length)] as string;
      const cats = ['a', 'b', 'c'].filter(() => rand() < 0.4);
      return ev({ event: kind, timestamp: START + Math.floor(rand() * 120) * 86_400 + i, email: `u${i}@x.test`, sg_message_id: `m${i}`, ...(cats.length ? { category: cats } : {}), ...(kind === 'bounce' ? { type: 'bounce' } : {}) });
    });
    await memory.applyBatch(customer, events, [], new Date());
  });
  after(async () => {
    await cleanup();
  });

  const same = async (rand: () => number): Promise<void> => {
    const from = FROM - 5 + Math.floor(rand() * 130);
    const range = { from, to: from + Math.floor(rand() * 90) };
    const metrics: Metric[] | undefined = rand() < 0.3 ? undefined : METRICS.filter(() => rand() < 0.5);
    const cats = ['a', 'c', 'b', 'zz'].filter(() => rand() < 0.6);
    const through = rand() < 0.2 ? undefined : range.to;
    assert.deepEqual(await memory.daily(customer.id, range, metrics), await direct.daily(customer.id, range, metrics));
    assert.deepEqual(await memory.categoryDaily(customer.id, cats, range, metrics), await direct.categoryDaily(customer.id, cats, range, metrics));
    assert.deepEqual(await memory.aggregate(customer.id, metrics, through), await direct.aggregate(customer.id, metrics, through));
    assert.deepEqual(await memory.categoryAggregate(customer.id, cats, metrics, through), await direct.categoryAggregate(customer.id, cats, metrics, through));
    assert.deepEqual(await memory.knownCategories(customer.id, cats), await direct.knownCategories(customer.id, cats));
    assert.deepEqual(await tight.categoryDaily(customer.id, cats, range, metrics), await direct.categoryDaily(customer.id, cats, range, metrics));
    assert.deepEqual(await tight.categoryAggregate(customer.id, cats, metrics, through), await direct.categoryAggregate(customer.id, cats, metrics, through));
  };

  test('200 random questions: every read from memory equals the SQL read', async () => {
    const rand = rng(11);
    for (let i = 0; i < 200; i++) await same(rand);
    assert.ok((memory.readCacheStats?.().hits ?? 0) > 500, 'the answers came from memory');
  });

  test('a batch committed through another connection is seen by the next read, and answers stay equal', async () => {
    const day = { from: FROM + 3, to: FROM + 3 };
    const before = (await memory.daily(customer.id, day)).get(FROM + 3)?.processed ?? 0;
    const beforeCat = (await memory.categoryAggregate(customer.id, ['d'])).size;
    // The other connection is another process as far as this one knows (no forget() here).
    await direct.applyBatch(customer, [ev({ event: 'processed', timestamp: START + 3 * 86_400 + 5, email: 'late@x.test', sg_message_id: 'late', category: 'd' })], [], new Date());
    assert.equal((await memory.daily(customer.id, day)).get(FROM + 3)?.processed, before + 1);
    assert.equal(beforeCat, 0);
    assert.deepEqual([...(await memory.categoryAggregate(customer.id, ['d'])).keys()], ['d']);
    assert.deepEqual(await memory.knownCategories(customer.id, ['d']), new Set(['d']));
    const rand = rng(12);
    for (let i = 0; i < 20; i++) await same(rand);
  });

  test('reads racing writes from both sides never answer older than the last acknowledged write', async () => {
    const day = { from: FROM + 7, to: FROM + 7 };
    const processed = async (store: Store): Promise<number> => (await store.daily(customer.id, day)).get(FROM + 7)?.processed ?? 0;
    let acked = await processed(direct);
    for (let i = 0; i < 30; i++) {
      const writer = i % 2 === 0 ? direct : memory;
      // A read in flight while the write commits may see either state, never less than before.
      const [during] = await Promise.all([
        processed(memory),
        writer.applyBatch(customer, [ev({ event: 'processed', timestamp: START + 7 * 86_400 + 10, email: `race${i}@x.test`, sg_message_id: `race${i}`, category: 'a' })], [], new Date()),
        memory.categoryDaily(customer.id, ['a', 'b'], day),
      ]);
      assert.ok(during === acked || during === acked + 1, `read during write ${i}: ${during}, acknowledged ${acked}`);
      acked += 1;
      assert.equal(await processed(memory), acked, `read after write ${i}`);
      assert.deepEqual(await memory.categoryDaily(customer.id, ['a', 'b'], day), await direct.categoryDaily(customer.id, ['a', 'b'], day));
      assert.deepEqual(await memory.categoryAggregate(customer.id, ['a'], undefined), await direct.categoryAggregate(customer.id, ['a'], undefined));
    }
  });
});

describe('SQLite account records in memory: exact under this process\'s and other connections\' changes', () => {
  let dir: TempDir;
  let server: Store;
  let cli: Store;
  before(async () => {
    dir = tempDir();
    const file = join(dir.path, 'accounts.sqlite');
    server = openSqlite(file, { retentionMs: RETENTION_MS });
    cli = openSqlite(file, { retentionMs: RETENTION_MS });
    await server.addCustomer('c1', await addReseller(server, 'r1', 'key-r1-secret'), 'UTC');
  });
  after(async () => {
    await server.close();
    await cli.close();
    dir.cleanup();
  });

  test('lookups are served from memory until another connection or this process changes an account', async () => {
    const first = await server.findCustomerAccount('c1');
    assert.equal(first?.disabled, false);
    const hits = server.readCacheStats?.().accountHits ?? 0;
    assert.equal((await server.findCustomerAccount('c1'))?.disabled, false);
    assert.equal(server.readCacheStats?.().accountHits, hits + 1, 'the second lookup came from memory');

    // Another connection (the CLI in another process) disables the customer: seen at once.
    assert.equal(await cli.setCustomerDisabled('c1', true), true);
    assert.equal((await server.findCustomerAccount('c1'))?.disabled, true);

    // This process re-enables it: seen at once too.
    assert.equal(await server.setCustomerDisabled('c1', false), true);
    assert.equal((await server.findCustomerAccount('c1'))?.disabled, false);

    // A rotated reseller key (another connection) replaces the remembered hash.
    const before = await server.findReseller('r1');
    assert.equal(await cli.rotateKey('r1', Buffer.alloc(16, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3)), true);
    const after = await server.findReseller('r1');
    assert.notDeepEqual(after?.keyHash, before?.keyHash);
    assert.deepEqual(after?.keyHash, Buffer.alloc(32, 2));

    // A name unknown a moment ago exists as soon as another connection adds it.
    assert.equal(await server.findCustomer('c2'), null);
    await cli.addCustomer('c2', (after as { id: number }).id, 'UTC');
    assert.equal((await server.findCustomer('c2'))?.username, 'c2');
  });
});
