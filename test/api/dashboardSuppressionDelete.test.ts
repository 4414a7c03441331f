// Issue 14 item 4: deleting one address from a customer's suppression list on the dashboard.
// The same CSRF gate as the customer actions (action header, same-site Origin, the session),
// the same gate as every customer page (another reseller's customer answers like an unknown
// one), the customer itself may clean its own list, and the address is gone from the v1 answer.
// Runs on PostgreSQL too (test/postgres/api.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { C1, setCustomerKey } from '../accountHelpers.js';
import { type Fixture, at, basicAuth, fixture, postEvents } from '../helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z');
const HOST = 'localhost:80';
const ACTION = { 'x-mailtally-request': 'dashboard', origin: `http://${HOST}`, host: HOST };
const bounce = (email: string, i: number) => ({ event: 'bounce', email, status: '5.1.1', reason: `550 no such user ${i}`, timestamp: at('2024-03-09T10:00:00Z') + i });

describe('dashboard: delete an address from a suppression list', () => {
  let f: Fixture;
  let reseller: string;
  let customer: string;
  const login = async (api_user: string, api_key: string) => {
    const res = await f.app.inject({ method: 'POST', url: '/dashboard/login', payload: { api_user, api_key } });
    assert.equal(res.statusCode, 200, res.body);
    return String(res.headers['set-cookie']).split(';')[0] as string;
  };
  const del = (cookie: string, path: string, headers: Record<string, string> = ACTION) =>
    f.app.inject({ method: 'DELETE', url: `/dashboard/api/customers/${path}`, headers: { cookie, ...headers } });
  const v1Bounces = async () =>
    (JSON.parse((await f.app.inject({ url: '/api/distributor.manage.json?api_user=r1&api_key=key-r1-secret&method=bounces&user=c1&task=get' })).body) as Array<{ email: string }>).map((e) => e.email).sort();

  before(async () => {
    f = await fixture(NOW);
    assert.equal((await postEvents(f.app, ['a@x.com', 'b@x.com', 'c@x.com', 'd@x.com'].map(bounce))).status, 200);
    const asR2 = await f.app.inject({
      method: 'POST',
      url: '/webhooks/events?user=c2',
      headers: { authorization: basicAuth('r2', 'key-r2-secret'), 'content-type': 'application/json' },
      payload: JSON.stringify([bounce('z@other.com', 9)]),
    });
    assert.equal(asR2.statusCode, 200, asR2.body);
    await setCustomerKey(f.store, 'c1', C1.api_key);
    reseller = await login('r1', 'key-r1-secret');
    customer = await login(C1.api_user, C1.api_key);
  });
  after(() => f.close());

  test('the reseller deletes one address (any case): gone from the tab and from v1; again is a 404', async () => {
    const res = await del(reseller, 'c1/suppressions/bounces?email=A@X.com');
    assert.deepEqual([res.statusCode, res.json()], [200, { list: 'bounces', email: 'a@x.com', deleted: true }]);
    assert.deepEqual(await v1Bounces(), ['b@x.com', 'c@x.com', 'd@x.com']);
    const tab = (await f.app.inject({ url: '/dashboard/api/customers/c1/suppressions/bounces', headers: { cookie: reseller } })).json() as { entries: Array<{ email: string }> };
    assert.deepEqual(tab.entries.map((e) => e.email), ['b@x.com', 'c@x.com', 'd@x.com']);
    const again = await del(reseller, 'c1/suppressions/bounces?email=a@x.com');
    assert.deepEqual([again.statusCode, again.json()], [404, { message: 'error', errors: ['error in email: is not on this list'] }]);
    const otherList = await del(reseller, 'c1/suppressions/spam_reports?email=b@x.com');
    assert.equal(otherList.statusCode, 404, 'b@x.com is a bounce, not a spam report');
  });

  test('CSRF: no action header or a foreign Origin is a 403, no session a 401; nothing is deleted', async () => {
    const noHeader = await del(reseller, 'c1/suppressions/bounces?email=b@x.com', { origin: `http://${HOST}`, host: HOST });
    assert.deepEqual([noHeader.statusCode, noHeader.json()], [403, { message: 'error', errors: ['error in x-mailtally-request: must be "dashboard" (sent by the dashboard page only)'] }]);
    const foreign = await del(reseller, 'c1/suppressions/bounces?email=b@x.com', { ...ACTION, origin: 'https://evil.example' });
    assert.deepEqual([foreign.statusCode, foreign.json()], [403, { message: 'error', errors: ['error in Origin: cross-site request refused'] }]);
    const anonymous = await f.app.inject({ method: 'DELETE', url: '/dashboard/api/customers/c1/suppressions/bounces?email=b@x.com', headers: ACTION });
    assert.equal(anonymous.statusCode, 401);
    assert.deepEqual(await v1Bounces(), ['b@x.com', 'c@x.com', 'd@x.com']);
  });

  test('another reseller\'s customer answers exactly as an unknown one; bad input is a clear 4xx', async () => {
    const other = await del(reseller, 'c2/suppressions/bounces?email=z@other.com');
    const unknown = await del(reseller, 'nobody/suppressions/bounces?email=z@other.com');
    assert.deepEqual([other.statusCode, other.json()], [400, { message: 'error', errors: ['error in user: user not found'] }]);
    assert.deepEqual([other.statusCode, other.body], [unknown.statusCode, unknown.body]);
    assert.equal((await f.store.suppression((await f.store.findCustomer('c2'))!.id, 'bounces', 'z@other.com'))?.email, 'z@other.com', 'untouched');
    const missing = await del(reseller, 'c1/suppressions/bounces');
    assert.deepEqual([missing.statusCode, missing.json()], [400, { message: 'error', errors: ['error in email: is required'] }]);
    const long = await del(reseller, `c1/suppressions/bounces?email=${'a'.repeat(400)}@x.com`);
    assert.deepEqual([long.statusCode, long.json()], [400, { message: 'error', errors: ['error in email: is not an email address'] }]);
    assert.equal((await del(reseller, 'c1/suppressions/bounces?email=a@x.com&email=b@x.com')).statusCode, 400, 'one address per delete');
    assert.equal((await del(reseller, 'c1/suppressions/nolist?email=b@x.com')).statusCode, 404);
  });

  test('a customer signed in on itself cleans its own list, and no one else\'s', async () => {
    const own = await del(customer, 'c1/suppressions/bounces?email=b@x.com');
    assert.deepEqual([own.statusCode, own.json()], [200, { list: 'bounces', email: 'b@x.com', deleted: true }]);
    assert.deepEqual(await v1Bounces(), ['c@x.com', 'd@x.com']);
    const other = await del(customer, 'c2/suppressions/bounces?email=z@other.com');
    assert.deepEqual([other.statusCode, other.json()], [400, { message: 'error', errors: ['error in user: user not found'] }]);
  });
});
