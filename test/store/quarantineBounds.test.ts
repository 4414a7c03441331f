// The quarantine is bounded and idempotent on every backend (issue 10 items 4 and 15): a payload
// is kept once per customer however often it is sent, each stored text is cut to a size, a
// customer keeps at most its cap of rows (the newest), and the pruner removes rows by age.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TRUNCATION_MARKER } from '../../src/domain/quarantineRows.js';
import { startPruner } from '../../src/services/pruner.js';
import type { Rejection, Store } from '../../src/store/types.js';
import { RETENTION_MS } from '../helpers.js';
import { backends } from './backends.js';

const NOW = new Date('2024-03-10T12:00:00Z');
const DAY_MS = 86_400_000;

const rejection = (i: number, payload = `{"event":"nope","n":${i}}`): Rejection => ({ index: i, error: 'event: must be one of …', payload });

async function customers(store: Store) {
  await store.addReseller('r1', Buffer.from('s'), Buffer.from('h'));
  const r = (await store.findReseller('r1'))!;
  return [await store.addCustomer('c1', r.id, 'UTC'), await store.addCustomer('c2', r.id, 'UTC')] as const;
}

const payloads = async (store: Store, customerId: number): Promise<string[]> => (await store.quarantined(customerId, 100_000)).map((r) => r.payload);

for (const backend of backends) {
  describe(`quarantine bounds: ${backend.name}`, { skip: backend.skip }, () => {
    test('the same payload is quarantined once per customer: within a batch, on a replay, from a second connection', async () => {
      const { store, second, cleanup } = await backend.open();
      try {
        const [c1, c2] = await customers(store);
        const batch = [rejection(0), rejection(1), rejection(2, '{"event":"nope","n":0}')];
        await store.applyBatch(c1, [], batch, NOW);
        assert.deepEqual(await payloads(store, c1.id), ['{"event":"nope","n":0}', '{"event":"nope","n":1}']);
        await store.applyBatch(c1, [], batch, new Date(NOW.getTime() + 1000));
        await (await second()).applyBatch(c1, [], [rejection(7, '{"event":"nope","n":1}'), rejection(8)], NOW);
        assert.deepEqual(await payloads(store, c1.id), ['{"event":"nope","n":0}', '{"event":"nope","n":1}', '{"event":"nope","n":8}']);
        // Another customer's identical payload is its own.
        await store.applyBatch(c2, [], [rejection(0)], NOW);
        assert.deepEqual(await payloads(store, c2.id), ['{"event":"nope","n":0}']);
      } finally {
        await cleanup();
      }
    });

    test('a customer keeps at most its cap of rows, the newest; other customers are untouched', async () => {
      const { store, cleanup } = await backend.open({ quarantine: { maxPerCustomer: 5, payloadBytes: 16_384 } });
      try {
        const [c1, c2] = await customers(store);
        await store.applyBatch(c2, [], [rejection(100), rejection(101)], NOW);
        await store.applyBatch(c1, [], [0, 1, 2, 3].map((i) => rejection(i)), NOW);
        await store.applyBatch(c1, [], [4, 5, 6].map((i) => rejection(i)), NOW);
        assert.deepEqual((await store.quarantined(c1.id, 100)).map((r) => r.index), [2, 3, 4, 5, 6]);
        // One batch larger than the cap keeps its last rows.
        await store.applyBatch(c1, [], Array.from({ length: 12 }, (_, i) => rejection(20 + i)), NOW);
        assert.deepEqual((await store.quarantined(c1.id, 100)).map((r) => r.index), [27, 28, 29, 30, 31]);
        assert.deepEqual((await store.quarantined(c2.id, 100)).map((r) => r.index), [100, 101]);
      } finally {
        await cleanup();
      }
    });

    test('a payload over the size limit is stored cut at a character boundary, with a marker', async () => {
      const { store, cleanup } = await backend.open({ quarantine: { maxPerCustomer: 100, payloadBytes: 1000 } });
      try {
        const [c1] = await customers(store);
        const big = `{"event":"nope","x":"${'é'.repeat(5000)}"}`;
        await store.applyBatch(c1, [], [rejection(0, big), rejection(1, 'small')], NOW);
        const [cut, small] = await payloads(store, c1.id);
        assert.equal(small, 'small');
        assert.ok(cut!.startsWith(big.slice(0, 500)), 'the beginning is kept');
        assert.ok(cut!.includes(`${TRUNCATION_MARKER}${Buffer.byteLength(big)} bytes in all]`), cut!.slice(-80));
        assert.ok(Buffer.byteLength(cut!) <= 1000 + 100, `${Buffer.byteLength(cut!)} bytes stored`);
        assert.ok(!cut!.includes('\ufffd'), 'not cut inside a character');
        // The same big payload again is recognised by the whole of it, not by the stored part.
        await store.applyBatch(c1, [], [rejection(5, big)], NOW);
        assert.equal((await payloads(store, c1.id)).length, 2);
      } finally {
        await cleanup();
      }
    });

    test('the pruner removes quarantined events older than the quarantine window, and only those', async () => {
      const { store, cleanup } = await backend.open();
      try {
        const [c1, c2] = await customers(store);
        const old = new Date(NOW.getTime() - 31 * DAY_MS);
        await store.applyBatch(c1, [], [rejection(0), rejection(1)], old);
        await store.applyBatch(c2, [], [rejection(2)], old);
        await store.applyBatch(c1, [], [rejection(3)], new Date(NOW.getTime() - 29 * DAY_MS));
        const pruner = startPruner(store, RETENTION_MS, 0, (err) => assert.fail(String(err)), () => NOW, 30 * DAY_MS);
        try {
          assert.equal(await pruner.runOnce(), 3);
          assert.equal(await pruner.runOnce(), 0);
        } finally {
          await pruner.stop();
        }
        assert.deepEqual((await store.quarantined(c1.id, 100)).map((r) => r.index), [3]);
        assert.deepEqual(await store.quarantined(c2.id, 100), []);
        // A pruned payload may be quarantined again.
        await store.applyBatch(c1, [], [rejection(0)], NOW);
        assert.deepEqual((await store.quarantined(c1.id, 100)).map((r) => r.index), [3, 0]);
      } finally {
        await cleanup();
      }
    });
  });
}
