// Events dated in the future are accepted and count once their day comes (README, Decisions):
// in the all-time aggregate of v1 and v2 exactly as in the daily rows, v3 and the dashboard,
// none of which can reach past today.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Fixture, R1, at, fixture, postEvents, stats } from '../helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z');
const TOMORROW = new Date('2024-03-11T12:00:00Z');

describe('future-dated events in the all-time aggregate', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
    const res = await postEvents(f.app, [
      { event: 'processed', timestamp: at('2024-03-10T08:00:00Z'), email: 'a@x.test', sg_message_id: 'today', category: 'promo' },
      { event: 'processed', timestamp: at('2024-03-11T08:00:00Z'), email: 'a@x.test', sg_message_id: 'tomorrow', category: 'promo' },
      { event: 'processed', timestamp: at('2031-01-01T00:00:00Z'), email: 'a@x.test', sg_message_id: 'years ahead' },
    ]);
    assert.equal(res.body.accepted, 3);
  });
  after(() => f.close());

  const v2Aggregate = async (): Promise<number> => {
    const qs = new URLSearchParams({ ...R1, method: 'stats', user: 'c1', aggregate: '1' });
    return (await f.app.inject(`/apiv2/reseller.manage.json?${qs}`)).json().requests as number;
  };

  test('counted from their own day on, in v1 and v2, JSON and XML', async () => {
    f.clock.now = NOW;
    assert.equal((await stats(f.app, 'json', { aggregate: '1' })).json().requests, 1);
    assert.match((await stats(f.app, 'xml', { aggregate: '1' })).body, /<requests>1<\/requests>/);
    assert.equal(await v2Aggregate(), 1);
    f.clock.now = TOMORROW;
    assert.equal((await stats(f.app, 'json', { aggregate: '1' })).json().requests, 2);
    assert.equal(await v2Aggregate(), 2);
    const daily = (await stats(f.app, 'json', { days: '2' })).json() as Array<{ requests: number }>;
    assert.deepEqual(daily.map((d) => d.requests), [1, 1], 'the aggregate agrees with the daily rows');
  });

  test('aggregate=1 with a category (issue 11) likewise counts the future days of a category only once they come', async () => {
    f.clock.now = NOW;
    assert.deepEqual((await stats(f.app, 'json', { aggregate: '1', category: 'promo' })).json().map((r: { requests: number }) => r.requests), [1]);
    f.clock.now = TOMORROW;
    assert.deepEqual((await stats(f.app, 'json', { aggregate: '1', category: 'promo' })).json().map((r: { requests: number }) => r.requests), [2]);
  });
});
