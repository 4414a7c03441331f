// GET /v3/subusers/stats/monthly (issue 13): the sums of one calendar month for every customer
// of the reseller, with SendGrid's `date`, `subuser`, sort and paging parameters.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { C1, setCustomerKey } from '../accountHelpers.js';
import { type Fixture, at, fixture, postEvents } from '../helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z');

describe('/v3/subusers/stats/monthly', () => {
  let f: Fixture;
  const get = (qs: string, key = 'key-r1-secret') => f.app.inject({ method: 'GET', url: `/v3/subusers/stats/monthly?${qs}`, headers: { authorization: `Bearer ${key}` } });
  const summary = (body: { date: string; stats: Array<{ name: string; metrics: { requests: number } }> }) => ({
    date: body.date,
    stats: body.stats.map((s) => [s.name, s.metrics.requests]),
  });

  before(async () => {
    f = await fixture(NOW);
    await setCustomerKey(f.store, 'c1', C1.api_key);
    await f.store.addCustomer('c3-shop', f.customer.resellerId, 'UTC');
    await f.store.addCustomer('idle', f.customer.resellerId, 'UTC');
    const processed = (iso: string, id: string) => ({ event: 'processed', timestamp: at(iso), email: 'a@x', sg_message_id: id });
    await postEvents(f.app, [processed('2024-02-29T10:00:00Z', 'f1'), processed('2024-03-01T10:00:00Z', 'm1')]);
    await postEvents(f.app, [processed('2024-03-02T10:00:00Z', 'm2'), processed('2024-03-09T10:00:00Z', 'm3'), processed('2024-02-01T00:00:00Z', 'f2')], 'c3-shop');
  });
  after(() => f.close());

  test('the month of `date` (dated its 1st), every customer, idle ones as zeros, sorted by the metric asked, ties by name', async () => {
    const res = await get('date=2024-03-01&sort_by_metric=requests');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(summary(res.json()), { date: '2024-03-01', stats: [['c3-shop', 2], ['c1', 1], ['idle', 0]] });
    const feb = await get('date=2024-02-15&sort_by_metric=requests&sort_by_direction=asc');
    assert.deepEqual(summary(feb.json()), { date: '2024-02-01', stats: [['idle', 0], ['c1', 1], ['c3-shop', 1]] });
    assert.equal(res.json().stats[0].type, 'subuser');
  });

  test('subuser filters by substring; limit and offset page', async () => {
    assert.deepEqual(summary((await get('date=2024-03-01&subuser=shop')).json()).stats, [['c3-shop', 2]]);
    assert.deepEqual(summary((await get('date=2024-03-01&sort_by_metric=requests&limit=1&offset=1')).json()).stats, [['c1', 1]]);
  });

  test('errors in the v3 envelope; a customer key is 403', async () => {
    assert.deepEqual((await get('')).json(), { errors: [{ field: 'date', message: 'is required (a day of the month, YYYY-MM-DD)' }] });
    assert.deepEqual((await get('date=2024-13-01')).json(), { errors: [{ field: 'date', message: 'must be a date in YYYY-MM-DD format' }] });
    const future = await get('date=2024-04-01&limit=0');
    assert.equal(future.statusCode, 400);
    assert.deepEqual(future.json().errors.map((e: { field: string }) => e.field).sort(), ['date', 'limit']);
    const customer = await get('date=2024-03-01', C1.api_key);
    assert.equal(customer.statusCode, 403);
    assert.equal((await get('date=2024-03-01', 'wrong-key')).statusCode, 401);
  });
});
