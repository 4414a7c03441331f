// Issue 13, SPEC section 8: customers as accounts of their own. One verifier, cache and throttle
// for both kinds; a key works only as the kind it was given to; rotation and `customer disable`
// stop a key at once, even one the credential cache already holds, also when another process
// (a second store on the same database) made the change; a disabled customer's events still count.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { C1, C2, setCustomerKey } from '../accountHelpers.js';
import { type Fixture, R1, at, fixture, postEvents } from '../helpers.js';
import { createStore } from '../../src/store/index.js';

const NOW = new Date('2024-03-10T12:00:00Z');

const q = (creds: { api_user: string; api_key: string }, extra = ''): string =>
  `api_user=${encodeURIComponent(creds.api_user)}&api_key=${encodeURIComponent(creds.api_key)}${extra}`;

describe('customer accounts: credentials', () => {
  let f: Fixture;
  const statsGet = (creds: { api_user: string; api_key: string }) => f.app.inject({ method: 'GET', url: `/api/stats.get.json?${q(creds, '&aggregate=1')}` });
  const bearer = (key: string, url = '/v3/stats?start_date=2024-03-10') => f.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

  before(async () => {
    f = await fixture(NOW);
    await setCustomerKey(f.store, 'c1', C1.api_key);
    await setCustomerKey(f.store, 'c2', C2.api_key);
    await postEvents(f.app, [{ event: 'processed', timestamp: at('2024-03-10T09:00:00Z'), email: 'a@x', sg_message_id: 'm1' }]);
  });
  after(() => f.close());

  test("a customer's own key reads its own statistics (stats.get and v3 Bearer)", async () => {
    const own = await statsGet(C1);
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().requests, 1);
    const other = await statsGet(C2);
    assert.equal(other.json().requests, 0, "c2 sees only its own (empty) numbers");
    const v3 = await bearer(C1.api_key);
    assert.equal(v3.statusCode, 200, v3.body);
    assert.equal(v3.json()[0].stats[0].metrics.requests, 1);
  });

  test('a customer key never works as a reseller key, nor the other way round', async () => {
    const asReseller = await f.app.inject({ method: 'GET', url: `/api/distributor.manage.json?${q(C1, '&method=stats&user=c1')}` });
    assert.equal(asReseller.statusCode, 401);
    assert.deepEqual(asReseller.json(), { message: 'error', errors: ['Bad username / password'] });
    const v2 = await f.app.inject({ method: 'GET', url: `/apiv2/reseller.manage.json?${q(C1, '&method=stats&user=c1')}` });
    assert.equal(v2.statusCode, 401);
    const webhook = await f.app.inject({
      method: 'POST',
      url: '/webhooks/events?user=c1',
      headers: { authorization: `Basic ${Buffer.from(`c1:${C1.api_key}`).toString('base64')}`, 'content-type': 'application/json' },
      payload: '[]',
    });
    assert.equal(webhook.statusCode, 401, 'webhooks take only the reseller');
    // A name with the other kind's key, and a customer key on the reseller-only v3 endpoints.
    assert.equal((await statsGet({ api_user: 'c1', api_key: R1.api_key })).statusCode, 401);
    assert.equal((await statsGet({ api_user: 'r1', api_key: C1.api_key })).statusCode, 401);
    const sums = await bearer(C1.api_key, '/v3/subusers/stats/sums?start_date=2024-03-10');
    assert.equal(sums.statusCode, 403);
    assert.deepEqual(sums.json(), { errors: [{ field: null, message: 'access forbidden' }] });
    // The reseller's own credentials still work everywhere they did.
    assert.equal((await statsGet(R1)).statusCode, 200);
    assert.equal((await bearer(R1.api_key, '/v3/subusers/stats/sums?start_date=2024-03-10')).statusCode, 200);
  });

  test('a customer without a key of its own cannot sign in', async () => {
    await f.store.addCustomer('c9', 1, 'UTC');
    assert.equal((await statsGet({ api_user: 'c9', api_key: '' })).statusCode, 401);
    assert.equal((await statsGet({ api_user: 'c9', api_key: 'anything-at-all' })).statusCode, 401);
  });

  test('set-key again: the old key stops at once, though the cache had verified it', async () => {
    assert.equal((await statsGet(C2)).statusCode, 200);
    assert.equal((await bearer(C2.api_key)).statusCode, 200);
    // Another process (a second store on the same database) rotates the key.
    const other = await createStore(f.location, { retentionMs: 7 * 86_400_000 });
    try {
      await setCustomerKey(other, 'c2', 'key-c2-rotated');
    } finally {
      await other.close();
    }
    assert.equal((await statsGet(C2)).statusCode, 401);
    assert.equal((await bearer(C2.api_key)).statusCode, 401);
    assert.equal((await statsGet({ api_user: 'c2', api_key: 'key-c2-rotated' })).statusCode, 200);
    assert.equal((await bearer('key-c2-rotated')).statusCode, 200);
  });

  test('disable stops the key and Bearer use at once, in every process; events still count; enable restores', async () => {
    assert.equal((await statsGet(C1)).statusCode, 200);
    assert.equal((await bearer(C1.api_key)).statusCode, 200);
    const other = await createStore(f.location, { retentionMs: 7 * 86_400_000 });
    try {
      assert.equal(await other.setCustomerDisabled('c1', true), true);
      assert.equal((await statsGet(C1)).statusCode, 401);
      assert.equal((await bearer(C1.api_key)).statusCode, 401);
      const ingest = await postEvents(f.app, [{ event: 'processed', timestamp: at('2024-03-10T10:00:00Z'), email: 'b@x', sg_message_id: 'm2' }]);
      assert.deepEqual(ingest.body, { accepted: 1, duplicates: 0, rejected: [] });
      const reseller = await f.app.inject({ method: 'GET', url: `/api/distributor.manage.json?${q(R1, '&method=stats&user=c1')}` });
      assert.equal(reseller.json()[0].requests, 2, 'its reseller still reads it, counted');
      assert.equal(await other.setCustomerDisabled('c1', false), true);
    } finally {
      await other.close();
    }
    const back = await statsGet(C1);
    assert.equal(back.statusCode, 200);
    assert.equal(back.json().requests, 2);
    assert.equal((await bearer(C1.api_key)).statusCode, 200);
  });

  test("wrong customer keys use the reseller's throttle: 429 once the budget is spent", async () => {
    let status = 0;
    for (let i = 0; i < 25 && status !== 429; i++) {
      status = (await f.app.inject({ method: 'GET', url: `/api/stats.get.json?${q({ api_user: 'c1', api_key: `wrong-${i}` })}`, remoteAddress: '198.51.100.9' })).statusCode;
    }
    assert.equal(status, 429);
    // The real customer, from its own address, is not locked out.
    const own = await f.app.inject({ method: 'GET', url: `/api/stats.get.json?${q(C1)}`, remoteAddress: '203.0.113.5' });
    assert.equal(own.statusCode, 200);
  });
});
