// The provider webhooks under the SendGrid path's bounds (issue 10 item 4): at most
// MAILTALLY_MAX_EVENTS_PER_BODY provider items per body (413 beyond, nothing applied or
// quarantined), at most twice that many mapped events, an element over MAILTALLY_MAX_EVENT_BYTES
// rejected unparsed, and an answer that lists at most 100 rejections plus `rejected_count`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type Fixture, at, basicAuth, fixture } from '../helpers.js';

const NOW = new Date('2026-01-01T12:00:00Z');
const T = at('2026-01-01T09:00:00Z');
const AUTH = basicAuth('r1', 'key-r1-secret');

// One delivery per element, in each batching provider's own shape (fixtures/providers.ts has the sourced samples).
const sparkpostDelivery = (i: number, extra: Record<string, unknown> = {}) => ({
  msys: { message_event: { type: 'delivery', event_id: `sp-lim-${i}`, transmission_id: `t-lim-${i}`, rcpt_to: `u${i}@example.test`, timestamp: String(T + i), ...extra } },
});
const brevoDelivery = (i: number) => ({ event: 'delivered', email: `u${i}@example.test`, 'message-id': `<lim-${i}@smtp-relay.mailin.fr>`, ts_event: T + i });
// Mailjet's 17-digit MessageID as Mailjet writes it: a bare number above 2^53.
const mailjetSent = (i: number) => `{"event":"sent","time":${T + i},"MessageID":1942177739619049${i},"email":"u${i}@example.test","customcampaign":""}`;
const eventBridgeDelivery = (id: string, recipients: string[]) => ({
  version: '0', id, 'detail-type': 'Email Delivered', source: 'aws.ses', time: '2026-01-01T09:00:00Z',
  detail: { eventType: 'Delivery', mail: { timestamp: '2026-01-01T08:59:00.000Z', messageId: `ses-${id}`, destination: recipients }, delivery: { timestamp: '2026-01-01T09:00:00.000Z', recipients } },
});

const bodies = {
  sparkpost: (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => sparkpostDelivery(i))),
  brevo: (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => brevoDelivery(i))),
  mailjet: (n: number) => `[${Array.from({ length: n }, (_, i) => mailjetSent(i)).join(',')}]`,
};

function post(app: FastifyInstance, provider: string, payload: string) {
  return app.inject({ method: 'POST', url: `/webhooks/${provider}?user=c1`, headers: { authorization: AUTH, 'content-type': 'application/json' }, payload });
}

describe('provider webhooks: bounded bodies and answers', () => {
  let f: Fixture;
  let small: FastifyInstance;
  const counted = async () => {
    const a = await f.store.aggregate(f.customer.id);
    return a.requests + a.delivered;
  };
  const quarantined = async () => (await f.store.quarantined(f.customer.id, 100_000)).length;

  before(async () => {
    f = await fixture(NOW);
    // 400 bytes per element: the 5-element bodies below are over it, so they take the sliced path.
    small = await buildApp({ store: f.store, now: () => NOW, maxEventsPerBody: 5, maxEventBytes: 400 });
  });
  after(async () => {
    await small.close();
    await f.close();
  });

  test('more array elements than MAILTALLY_MAX_EVENTS_PER_BODY → 413 for SparkPost, Brevo and Mailjet, nothing applied or quarantined', async () => {
    for (const [provider, body] of Object.entries(bodies)) {
      // One unmappable element too: even it must not reach the quarantine.
      const payload = provider === 'sparkpost' ? JSON.stringify([...Array.from({ length: 5 }, (_, i) => sparkpostDelivery(i)), { nope: 1 }]) : body(6);
      const res = await post(small, provider, payload);
      assert.equal(res.statusCode, 413, `${provider}: ${res.body}`);
      assert.deepEqual(res.json(), { message: 'error', errors: ['error in body: more than 5 events in one request; send at most 5 per request'] });
    }
    assert.equal(await counted(), 0);
    assert.equal(await quarantined(), 0);
  });

  test('at the cap the sliced path applies everything, and Mailjet\'s 17-digit ids survive it', async () => {
    for (const [provider, body] of Object.entries(bodies)) {
      const payload = body(5);
      assert.ok(payload.length > 400, 'over maxEventBytes: parsed in slices');
      const res = await post(small, provider, payload);
      assert.equal(res.statusCode, 200, `${provider}: ${res.body}`);
      assert.deepEqual(res.json(), { accepted: 10, duplicates: 0, rejected: [] }, provider);
    }
    // The same Mailjet event alone (parsed whole) is a duplicate only if the sliced parse read its id exactly.
    const again = await post(small, 'mailjet', mailjetSent(3));
    assert.deepEqual(again.json(), { accepted: 0, duplicates: 2, rejected: [] });
  });

  test('an element larger than MAILTALLY_MAX_EVENT_BYTES is rejected by index without being parsed, the rest applied', async () => {
    const payload = JSON.stringify([sparkpostDelivery(100), sparkpostDelivery(101, { pad: 'x'.repeat(2000) }), sparkpostDelivery(102)]);
    const res = await post(small, 'sparkpost', payload);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { accepted: 4, duplicates: 0, rejected: [{ index: 1, error: 'event is larger than 400 bytes' }] });
  });

  test('bodies that are not arrays are capped too: an SES array of 6 events, or one event mapping to more than twice the cap', async () => {
    const six = JSON.stringify(Array.from({ length: 6 }, (_, i) => eventBridgeDelivery(`eb-six-${i}`, ['a@example.test'])));
    const tooMany = await post(small, 'ses', six);
    assert.equal(tooMany.statusCode, 413, tooMany.body);
    assert.deepEqual(tooMany.json().errors, ['error in body: more than 5 events in one request; send at most 5 per request']);
    // 6 recipients: 6 deliveries and 6 requests, over 2 × 5.
    const wide = await post(small, 'ses', JSON.stringify(eventBridgeDelivery('eb-wide', Array.from({ length: 6 }, (_, i) => `w${i}@example.test`))));
    assert.equal(wide.statusCode, 413, wide.body);
    assert.deepEqual(wide.json().errors, ['error in body: maps to more than 10 events in one request; send at most 5 per request']);
    const before = await counted();
    const five = await post(small, 'ses', JSON.stringify(eventBridgeDelivery('eb-five', Array.from({ length: 5 }, (_, i) => `v${i}@example.test`))));
    assert.equal(five.statusCode, 200, five.body);
    assert.equal(five.json().accepted, 10);
    assert.equal(await counted(), before + 10);
  });

  test('150 unmappable items: the answer lists the first 100 and gives rejected_count 150; all 150 are quarantined', async () => {
    for (const provider of ['sparkpost', 'brevo']) {
      const before = await quarantined();
      const items = Array.from({ length: 150 }, (_, i) => (provider === 'sparkpost' ? sparkpostDelivery(1000 + i, { type: 'no_such_type' }) : { ...brevoDelivery(1000 + i), event: 'no_such_event' }));
      const res = await post(f.app, provider, JSON.stringify(items));
      assert.equal(res.statusCode, 200, res.body);
      const answer = res.json();
      assert.equal(answer.accepted, 0);
      assert.equal(answer.rejected.length, 100);
      assert.equal(answer.rejected_count, 150);
      assert.deepEqual(answer.rejected.map((r: { index: number }) => r.index), Array.from({ length: 100 }, (_, i) => i));
      assert.equal(await quarantined(), before + 150, provider);
    }
  });
});
