// Re-applying the quarantine after a fix: what is valid now is applied and leaves quarantine in
// the same transaction; what is still invalid stays; running it again changes nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { reapplyQuarantined } from '../../src/services/quarantine.js';
import { at } from '../helpers.js';
import { backends } from './backends.js';

const NOW = new Date('2024-03-10T12:00:00Z');

for (const backend of backends) {
  describe(`quarantine re-apply: ${backend.name}`, { skip: backend.skip }, () => {
    test('valid-now events are applied once and removed; the rest stay', async () => {
      const { store, cleanup } = await backend.open();
      try {
        await store.addReseller('r1', Buffer.from('s'), Buffer.from('h'));
        const customer = await store.addCustomer('c1', (await store.findReseller('r1'))!.id, 'UTC');
        const valid = { event: 'delivered', timestamp: at('2024-03-10T09:00:00Z'), email: 'a@x', sg_message_id: 'm1' };
        // As if these had been rejected by an older, stricter version:
        await store.applyBatch(customer, [], [
          { index: 0, error: 'old rule', payload: JSON.stringify(valid) },
          { index: 1, error: 'event is not valid JSON', payload: '{"event":' },
          { index: 2, error: 'old rule', payload: JSON.stringify({ ...valid, sg_message_id: 'm2' }) },
          // The same event (fingerprint) with another sg_event_id: a different payload, a duplicate once applied.
          { index: 3, error: 'old rule', payload: JSON.stringify({ ...valid, sg_message_id: 'm2', sg_event_id: 'retry' }) },
        ], NOW);

        assert.deepEqual(await reapplyQuarantined(store, customer, () => NOW), { reapplied: 2, duplicates: 1, still_rejected: 1 });
        assert.equal((await store.aggregate(customer.id)).delivered, 2);
        assert.deepEqual((await store.quarantined(customer.id, 10)).map((r) => r.index), [1]);
        assert.deepEqual(await reapplyQuarantined(store, customer, () => NOW), { reapplied: 0, duplicates: 0, still_rejected: 1 });
        assert.equal((await store.aggregate(customer.id)).delivered, 2);
      } finally {
        await cleanup();
      }
    });

    test('events quarantined by the old custom-arg rule and account events are recovered (issue 11)', async () => {
      const { store, cleanup } = await backend.open();
      try {
        await store.addReseller('r1', Buffer.from('s'), Buffer.from('h'));
        const customer = await store.addCustomer('c1', (await store.findReseller('r1'))!.id, 'UTC');
        const t = at('2024-03-10T09:00:00Z');
        // Exactly what the previous release quarantined, with its reasons.
        await store.applyBatch(customer, [], [
          { index: 0, error: 'type: must be a string', payload: JSON.stringify({ event: 'delivered', timestamp: t, email: 'a@x', sg_message_id: 'm1', type: 1 }) },
          { index: 1, error: 'url: must be a string', payload: JSON.stringify({ event: 'open', timestamp: t, email: 'a@x', sg_message_id: 'm1', url: 42 }) },
          { index: 2, error: 'event: must be one of …', payload: JSON.stringify({ event: 'account_status_change', timestamp: t, type: 'compliance_suspend' }) },
          { index: 3, error: 'type: must be a string', payload: JSON.stringify({ event: 'bounce', timestamp: t, email: 'a@x', type: 1 }) },
        ], NOW);
        assert.deepEqual(await reapplyQuarantined(store, customer, () => NOW), { reapplied: 3, duplicates: 0, still_rejected: 1 });
        const totals = await store.aggregate(customer.id);
        assert.deepEqual([totals.delivered, totals.opens, totals.unique_opens], [1, 1, 1]);
        assert.deepEqual((await store.quarantined(customer.id, 10)).map((r) => r.index), [3], 'a bounce\'s own type must still be a string');
      } finally {
        await cleanup();
      }
    });
  });
}
