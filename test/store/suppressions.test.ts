// Suppression lists in the store (migration 012, SPEC section 9), on both backends: which event
// adds which address, duplicates and retries adding nothing twice, re-adding after a delete,
// keyset and prefix paging, deletions that also scrub quarantined payloads, and purge.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type NormalizedEvent, validateEvent } from '../../src/domain/events.js';
import type { Customer, Store } from '../../src/store/types.js';
import { at } from '../helpers.js';
import { type Backend, backends } from './backends.js';

const NOW = new Date('2024-03-10T12:00:00Z');
const T = at('2024-03-09T08:00:00Z');

function ev(raw: Record<string, unknown>): NormalizedEvent {
  const v = validateEvent(raw, 'UTC');
  if (!v.ok) throw new Error(v.error);
  return v.event;
}

const bounce = (email: string, ts: number, extra: Record<string, unknown> = {}) => ev({ event: 'bounce', email, timestamp: ts, ...extra });

for (const backend of backends) {
  describe(`suppression lists: ${backend.name}`, { skip: backend.skip }, () => {
    let ctx: Awaited<ReturnType<Backend['open']>>;
    let store: Store;
    let resellerId = 0;
    let n = 0;
    const customer = async (): Promise<Customer> => store.addCustomer(`c${++n}`, resellerId, 'UTC');

    before(async () => {
      ctx = await backend.open();
      store = ctx.store;
      await store.addReseller('r1', Buffer.from('salt'), Buffer.from('hash'));
      resellerId = (await store.findReseller('r1'))?.id ?? 0;
    });
    after(async () => ctx?.cleanup());

    test('each counted event type adds its address to its list; group unsubscribes and other events do not', async () => {
      const c = await customer();
      await store.applyBatch(
        c,
        [
          bounce('B@Example.com', T, { status: '5.1.1', reason: '550 unknown user', type: 'bounce' }),
          bounce('expired@x.test', T + 1, { type: 'expired', reason: 'expired' }),
          bounce('blocked@x.test', T + 2, { type: 'blocked', status: '4.0.0', reason: 'no route' }),
          ev({ event: 'spamreport', email: 'spam@x.test', timestamp: T + 3 }),
          ev({ event: 'dropped', email: 'bad@x', timestamp: T + 4, reason: 'Invalid' }),
          ev({ event: 'dropped', email: 'again@x.test', timestamp: T + 4, reason: 'Bounced Address' }),
          ev({ event: 'unsubscribe', email: 'unsub@x.test', timestamp: T + 5 }),
          ev({ event: 'group_unsubscribe', email: 'group@x.test', timestamp: T + 6, asm_group_id: 1 }),
          ev({ event: 'delivered', email: 'ok@x.test', timestamp: T + 7 }),
          ev({ event: 'bounce', timestamp: T + 8 }),
        ],
        [],
        NOW,
      );
      const all = async (list: Parameters<Store['suppressions']>[1]['list']) => (await store.suppressions(c.id, { list, limit: 100 })).map((e) => e.email);
      assert.deepEqual(await all('bounces'), ['expired@x.test', 'b@example.com']);
      assert.deepEqual(await all('blocks'), ['blocked@x.test']);
      assert.deepEqual(await all('spam_reports'), ['spam@x.test']);
      assert.deepEqual(await all('invalid_emails'), ['bad@x']);
      assert.deepEqual(await all('unsubscribes'), ['unsub@x.test']);
      assert.deepEqual(await store.suppression(c.id, 'bounces', 'b@example.com'), { email: 'b@example.com', status: '5.1.1', reason: '550 unknown user', firstAdded: T, created: T });
      assert.deepEqual(await store.suppression(c.id, 'blocks', 'blocked@x.test'), { email: 'blocked@x.test', status: '4.0.0', reason: 'no route', firstAdded: T + 2, created: T + 2 });
      assert.equal((await store.suppression(c.id, 'invalid_emails', 'bad@x'))?.reason, 'Invalid');
    });

    test('duplicates and retries add nothing twice; later events move created and the detail, earlier ones first_added', async () => {
      const c = await customer();
      const first = bounce('a@x.test', T, { reason: 'first' });
      assert.deepEqual(await store.applyBatch(c, [first, first], [], NOW), { accepted: 1, duplicates: 1 });
      assert.deepEqual(await store.applyBatch(c, [first], [], NOW), { accepted: 0, duplicates: 1 });
      await store.applyBatch(c, [bounce('a@x.test', T + 100, { reason: 'later' }), bounce('a@x.test', T - 100, { reason: 'earlier' })], [], NOW);
      assert.deepEqual(await store.suppression(c.id, 'bounces', 'a@x.test'), { email: 'a@x.test', status: '', reason: 'later', firstAdded: T - 100, created: T + 100 });
      // An older event arriving afterwards changes neither created nor the detail.
      await store.applyBatch(c, [bounce('a@x.test', T + 50, { reason: 'late arrival' })], [], NOW);
      assert.equal((await store.suppression(c.id, 'bounces', 'a@x.test'))?.reason, 'later');
      assert.equal((await store.suppressions(c.id, { list: 'bounces', limit: 10 })).length, 1);
    });

    test('a deleted address comes back on its next qualifying event, not on a retry of the old one', async () => {
      const c = await customer();
      const old = bounce('back@x.test', T);
      await store.applyBatch(c, [old], [], NOW);
      assert.equal(await store.deleteSuppressions(c.id, 'bounces', ['back@x.test']), 1);
      assert.equal(await store.deleteSuppressions(c.id, 'bounces', ['back@x.test']), 0);
      await store.applyBatch(c, [old], [], NOW);
      assert.equal(await store.suppression(c.id, 'bounces', 'back@x.test'), null);
      await store.applyBatch(c, [bounce('back@x.test', T + 60)], [], NOW);
      assert.deepEqual(await store.suppression(c.id, 'bounces', 'back@x.test'), { email: 'back@x.test', status: '', reason: '', firstAdded: T + 60, created: T + 60 });
    });

    test('pages newest first by keyset or offset, filters by created, searches by prefix', async () => {
      const c = await customer();
      const events = Array.from({ length: 25 }, (_, i) => bounce(`u${String(i).padStart(2, '0')}@x.test`, T + Math.floor(i / 2)));
      await store.applyBatch(c, events, [], NOW);
      const walked: string[] = [];
      let afterKey: { created: number; email: string } | undefined;
      for (;;) {
        const page = await store.suppressions(c.id, { list: 'bounces', limit: 7, ...(afterKey ? { after: afterKey } : {}) });
        walked.push(...page.map((e) => e.email));
        if (page.length < 7) break;
        const last = page[page.length - 1] as { created: number; email: string };
        afterKey = { created: last.created, email: last.email };
      }
      const expected = events.map((e, i) => ({ email: `u${String(i).padStart(2, '0')}@x.test`, ts: e.timestamp })).sort((a, b) => b.ts - a.ts || (a.email < b.email ? 1 : -1)).map((e) => e.email);
      assert.deepEqual(walked, expected);
      assert.deepEqual((await store.suppressions(c.id, { list: 'bounces', limit: 3, skip: 5 })).map((e) => e.email), expected.slice(5, 8));
      const ranged = await store.suppressions(c.id, { list: 'bounces', limit: 100, from: T + 2, to: T + 3 });
      assert.deepEqual(ranged.map((e) => e.email), ['u07@x.test', 'u06@x.test', 'u05@x.test', 'u04@x.test']);
      const prefix = await store.suppressionsByAddress(c.id, { list: 'bounces', prefix: 'u1', limit: 4 });
      assert.deepEqual(prefix.map((e) => e.email), ['u10@x.test', 'u11@x.test', 'u12@x.test', 'u13@x.test']);
      const next = await store.suppressionsByAddress(c.id, { list: 'bounces', prefix: 'u1', after: 'u13@x.test', limit: 100 });
      assert.deepEqual(next.map((e) => e.email), ['u14@x.test', 'u15@x.test', 'u16@x.test', 'u17@x.test', 'u18@x.test', 'u19@x.test']);
      assert.equal((await store.suppressionsByAddress(c.id, { list: 'bounces', prefix: '', limit: 100 })).length, 25);
      assert.equal((await store.suppressionsByAddress(c.id, { list: 'blocks', prefix: '', limit: 100 })).length, 0);
    });

    test('deleting addresses also drops quarantined payloads naming them; delete all empties only that list', async () => {
      const c = await customer();
      await store.applyBatch(
        c,
        [bounce('gone@x.test', T), bounce('kept@x.test', T), ev({ event: 'spamreport', email: 'gone@x.test', timestamp: T })],
        [
          { index: 0, error: 'bad', payload: '{"email":"Gone@X.test","timestamp":"x"}' },
          { index: 1, error: 'bad', payload: '{"email":"kept@x.test","timestamp":"y"}' },
        ],
        NOW,
      );
      assert.equal(await store.deleteSuppressions(c.id, 'bounces', ['gone@x.test', 'nobody@x.test']), 1);
      assert.deepEqual((await store.quarantined(c.id, 10)).map((q) => q.payload), ['{"email":"kept@x.test","timestamp":"y"}']);
      assert.ok(await store.suppression(c.id, 'spam_reports', 'gone@x.test'), 'other lists keep their entry');
      assert.equal(await store.deleteSuppressions(c.id, 'bounces', 'all'), 1);
      assert.deepEqual(await store.quarantined(c.id, 10), []);
      assert.equal((await store.suppressions(c.id, { list: 'bounces', limit: 10 })).length, 0);
      assert.equal((await store.suppressions(c.id, { list: 'spam_reports', limit: 10 })).length, 1);
    });

    test('purge removes the customer and every row stored for it; the username is free again', async () => {
      const c = await customer();
      const other = await customer();
      const batch = [bounce('p@x.test', T), ev({ event: 'open', email: 'p@x.test', timestamp: T, category: 'cat', sg_message_id: 'm1' })];
      await store.applyBatch(c, batch, [{ index: 0, error: 'bad', payload: '{"x":1}' }], NOW);
      await store.applyBatch(other, batch, [], NOW);
      await store.setProviderWebhookKey(c.username, 'mailgun', 'k');
      const purged = await store.purgeCustomer(c.username);
      assert.ok(purged);
      assert.equal(purged.rows.customers, 1);
      assert.ok((purged.rows.suppressions ?? 0) >= 1 && (purged.rows.daily_stats ?? 0) >= 1 && (purged.rows.quarantine ?? 0) === 1);
      assert.equal(await store.findCustomer(c.username), null);
      assert.equal(await store.purgeCustomer(c.username), null);
      assert.equal((await store.suppressions(c.id, { list: 'bounces', limit: 10 })).length, 0);
      assert.deepEqual(await store.categories(c.id), []);
      assert.equal((await store.suppressions(other.id, { list: 'bounces', limit: 10 })).length, 1, "another customer's rows stay");
      const again = await store.addCustomer(c.username, resellerId, 'UTC');
      assert.equal(again.username, c.username);
    });
  });
}
