// What one webhook body may cost (issue 10 item 4): a cap on events per body (413 beyond, nothing
// applied), a cap on the size of one item (rejected unparsed, quarantined cut), and an answer
// that lists at most 100 rejections however many there were.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type Fixture, at, basicAuth, fixture } from '../helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z');
const T = at('2024-03-10T09:00:00Z');

const delivered = (i: number, extra: Record<string, unknown> = {}) => ({ event: 'delivered', timestamp: T + i, sg_message_id: `m${i}`, email: `u${i}@example.test`, ...extra });

function post(app: FastifyInstance, payload: string, contentType = 'application/json') {
  return app.inject({
    method: 'POST',
    url: '/webhooks/events?user=c1',
    headers: { authorization: basicAuth('r1', 'key-r1-secret'), 'content-type': contentType },
    payload,
  });
}

describe('webhook: bounded bodies and answers', () => {
  let f: Fixture;
  let small: FastifyInstance;
  const deliveredCount = async () => (await f.store.aggregate(f.customer.id)).delivered;
  const quarantined = async () => (await f.store.quarantined(f.customer.id, 100_000)).length;

  before(async () => {
    f = await fixture(NOW);
    small = await buildApp({ store: f.store, now: () => NOW, maxEventsPerBody: 5, maxEventBytes: 2048 });
  });
  after(async () => {
    await small.close();
    await f.close();
  });

  test('more events than MAILTALLY_MAX_EVENTS_PER_BODY → 413 in the envelope, nothing applied or quarantined', async () => {
    const six = Array.from({ length: 6 }, (_, i) => delivered(i, i === 0 ? { event: 'nope' } : {}));
    for (const [payload, type] of [
      [JSON.stringify(six), 'application/json'],
      [six.map((e) => JSON.stringify(e)).join('\n'), 'application/x-ndjson'],
      [six.map((e) => JSON.stringify(e)).join('\n'), 'application/json'],
    ] as const) {
      const res = await post(small, payload, type);
      assert.equal(res.statusCode, 413, res.body);
      assert.deepEqual(res.json(), { message: 'error', errors: ['error in body: more than 5 events in one request; send at most 5 per request'] });
    }
    assert.equal(await deliveredCount(), 0);
    assert.equal(await quarantined(), 0);
    // At the cap: applied.
    const five = await post(small, JSON.stringify(six.slice(1)));
    assert.equal(five.statusCode, 200, five.body);
    assert.equal(five.json().accepted, 5);
  });

  test('the default cap is 10,000 events: the issue\'s body of a million lines of `1` is refused at once', async () => {
    const lines = '1\n'.repeat(1_000_000);
    const started = Date.now();
    const res = await post(f.app, lines, 'application/x-ndjson');
    assert.equal(res.statusCode, 413, res.body.slice(0, 300));
    assert.deepEqual(res.json(), { message: 'error', errors: ['error in body: more than 10000 events in one request; send at most 10000 per request'] });
    assert.ok(res.body.length < 200);
    assert.equal(await quarantined(), 0, 'nothing quarantined');
    const array = await post(f.app, `[${Array.from({ length: 10_001 }, () => 1).join(',')}]`);
    assert.equal(array.statusCode, 413, array.body.slice(0, 300));
    // Sanity bound only: the count is found long before the body is parsed.
    assert.ok(Date.now() - started < 30_000);
  });

  test('an item larger than MAILTALLY_MAX_EVENT_BYTES is rejected by index without being parsed, the rest applied', async () => {
    const before = await deliveredCount();
    const huge = JSON.stringify(delivered(900, { pad: 'x'.repeat(3000) }));
    for (const [payload, type] of [
      [`[${JSON.stringify(delivered(901))},${huge},${JSON.stringify(delivered(902))}]`, 'application/json'],
      [`${JSON.stringify(delivered(903))}\n${huge}\n`, 'application/x-ndjson'],
    ] as const) {
      const res = await post(small, payload, type);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().rejected, [{ index: 1, error: 'event is larger than 2048 bytes' }]);
    }
    assert.equal(await deliveredCount(), before + 3, 'the huge event was not applied');
    const rows = await f.store.quarantined(f.customer.id, 100);
    assert.equal(rows.length, 1, 'the same item twice is quarantined once');
    assert.equal(rows[0]?.payload, huge, 'kept whole while under the quarantine size limit');
  });

  test('a body with more than 100 rejected events lists the first 100 and counts them all; all are quarantined', async () => {
    const before = await quarantined();
    const batch = Array.from({ length: 250 }, (_, i) => (i % 2 === 0 ? { event: 'nope', timestamp: T, n: i } : delivered(1000 + i)));
    const res = await post(f.app, JSON.stringify(batch));
    assert.equal(res.statusCode, 200);
    const body = res.json() as { accepted: number; duplicates: number; rejected: Array<{ index: number }>; rejected_count: number };
    assert.deepEqual(Object.keys(body), ['accepted', 'duplicates', 'rejected', 'rejected_count']);
    assert.equal(body.accepted, 125);
    assert.equal(body.rejected_count, 125);
    assert.deepEqual(body.rejected.map((r) => r.index), Array.from({ length: 100 }, (_, i) => 2 * i));
    assert.equal(await quarantined(), before + 125);
    // Up to 100 rejections: the answer is as it always was, without rejected_count.
    const few = await post(f.app, JSON.stringify([{ event: 'nope', timestamp: T, n: 'few' }]));
    assert.deepEqual(Object.keys(few.json()), ['accepted', 'duplicates', 'rejected']);
  });

  test('a replayed body does not quarantine its rejected events again', async () => {
    const batch = JSON.stringify([delivered(2000), { event: 'nope', timestamp: T, n: 'replay' }, 'not an object']);
    const first = await post(f.app, batch);
    const count = await quarantined();
    for (let i = 0; i < 3; i++) {
      const again = await post(f.app, batch);
      assert.deepEqual(again.json(), { ...first.json(), accepted: 0, duplicates: 1 });
    }
    assert.equal(await quarantined(), count);
  });
});
