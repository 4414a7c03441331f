// Issue 14 item 2, SPEC section 9: /v3/subusers (create, list with username/limit/offset,
// PATCH disabled, DELETE) through SendGrid's own Node client (@sendgrid/client) against the app
// listening on a real socket; SendGrid's v3 error envelope and statuses; tenancy (another
// reseller's subuser is 404 like an unknown one, a customer's own key is 403).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import client from '@sendgrid/client';
import { C1, setCustomerKey } from '../accountHelpers.js';
import { type Fixture, R1, fixture } from '../helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z');

interface SgError {
  code: number;
  response: { body: unknown };
}

async function failure(request: Parameters<typeof client.request>[0]): Promise<SgError> {
  try {
    await client.request(request);
  } catch (err) {
    return err as SgError;
  }
  assert.fail(`${request.method} ${request.url} succeeded`);
}

describe('/v3/subusers through @sendgrid/client', () => {
  let f: Fixture;
  let url: string;
  const raw = (method: string, path: string, key: string, body?: string, type = 'application/json') =>
    fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': type }) }, body });

  before(async () => {
    f = await fixture(NOW);
    await setCustomerKey(f.store, 'c1', C1.api_key);
    // A Basic-authenticated call stores r1's and r2's key lookup digests (v3 finds a reseller by its key).
    for (const creds of [R1, { api_user: 'r2', api_key: 'key-r2-secret' }]) {
      const r = await f.app.inject({ method: 'GET', url: `/api/distributor.manage.json?api_user=${creds.api_user}&api_key=${creds.api_key}&method=profile&task=get` });
      assert.equal(r.statusCode, 200, r.body);
    }
    url = await f.app.listen({ port: 0, host: '127.0.0.1' });
    client.setApiKey(R1.api_key); // first: setApiKey resets the base URL to SendGrid's
    client.setDefaultRequest('baseUrl', url);
  });
  after(() => f.close());

  test('create: 200 with SendGrid’s body; the password works as the subuser’s own credentials', async () => {
    const [res, body] = await client.request({ method: 'POST', url: '/v3/subusers', body: { username: 'sub1', email: 'sub1@example.com', password: 'sub1-password', ips: ['1.1.1.1'] } });
    assert.equal(res.statusCode, 200);
    const created = await f.store.findCustomer('sub1');
    assert.deepEqual(body, { username: 'sub1', user_id: created?.id, email: 'sub1@example.com', credit_allocation: { type: 'unlimited' } });
    const [res2] = await client.request({ method: 'POST', url: '/v3/subusers', body: { username: 'sub2', email: 'sub2@example.com', password: 'sub2-password', ips: [], timezone: 'Asia/Tokyo' } });
    assert.equal(res2.statusCode, 200);
    assert.equal((await f.store.findCustomer('sub2'))?.timezone, 'Asia/Tokyo');
    const own = await raw('GET', '/v3/stats?start_date=2024-03-10', 'sub1-password');
    assert.equal(own.status, 200, await own.text());
  });

  test('create: every problem in the v3 envelope; a held name is `username exists`', async () => {
    const bad = await failure({ method: 'POST', url: '/v3/subusers', body: { username: 'x'.repeat(65), email: 'nope', password: 'abc', ips: ['not-an-ip'], timezone: 'Nowhere/Else' } });
    assert.equal(bad.code, 400);
    assert.deepEqual(bad.response.body, {
      errors: [
        { field: 'username', message: 'must be no more than 64 characters' },
        { field: 'email', message: 'must be an email address of at most 64 characters' },
        { field: 'password', message: 'must be 6 to 1024 characters' },
        { field: 'ips', message: 'must be an array of IP addresses' },
        { field: 'timezone', message: 'must be an IANA time zone name such as Europe/Berlin' },
      ],
    });
    const empty = await failure({ method: 'POST', url: '/v3/subusers', body: {} });
    assert.deepEqual(empty.response.body, {
      errors: [
        { field: 'username', message: 'is required' },
        { field: 'email', message: 'is required' },
        { field: 'password', message: 'is required' },
      ],
    });
    for (const username of ['sub1', 'c2', 'r2']) {
      const taken = await failure({ method: 'POST', url: '/v3/subusers', body: { username, email: 'a@example.com', password: 'long-enough' } });
      assert.equal(taken.code, 400, username);
      assert.deepEqual(taken.response.body, { errors: [{ field: 'username', message: 'username exists' }] });
    }
    const nul = await failure({ method: 'POST', url: '/v3/subusers', body: { username: 'a\u0000', email: 'a\u0000@b.cc', password: 'long-enough' } });
    assert.deepEqual(nul.response.body, {
      errors: [
        { field: 'username', message: 'must not contain control characters or surrounding spaces' },
        { field: 'email', message: 'must be an email address of at most 64 characters' },
      ],
    });
    const notJson = await raw('POST', '/v3/subusers', R1.api_key, '{"username":');
    assert.equal(notJson.status, 400);
    assert.deepEqual(await notJson.json(), { errors: [{ field: null, message: 'is not valid JSON' }] });
    const array = await raw('POST', '/v3/subusers', R1.api_key, '[]');
    assert.deepEqual(await array.json(), { errors: [{ field: null, message: 'must be a JSON object' }] });
    assert.equal((await raw('POST', '/v3/subusers', R1.api_key, 'username=a', 'application/x-www-form-urlencoded')).status, 415);
  });

  test('list: own subusers in username order, CLI-created ones too; username, limit, offset; bad paging', async () => {
    const [res, all] = await client.request({ method: 'GET', url: '/v3/subusers' });
    assert.equal(res.statusCode, 200);
    const c1 = await f.store.findCustomer('c1');
    assert.deepEqual((all as Array<{ username: string }>).map((s) => s.username), ['c1', 'sub1', 'sub2']);
    assert.deepEqual((all as unknown[])[0], { disabled: false, email: '', id: c1?.id, username: 'c1' });
    assert.deepEqual(Object.keys((all as object[])[1] as object), ['disabled', 'email', 'id', 'username']);
    const [, page] = await client.request({ method: 'GET', url: '/v3/subusers', qs: { limit: 1, offset: 1 } });
    assert.deepEqual((page as Array<{ username: string }>).map((s) => s.username), ['sub1']);
    const [, one] = await client.request({ method: 'GET', url: '/v3/subusers', qs: { username: 'sub2' } });
    assert.deepEqual((one as Array<{ email: string }>).map((s) => s.email), ['sub2@example.com']);
    const [, other] = await client.request({ method: 'GET', url: '/v3/subusers', qs: { username: 'c2' } });
    assert.deepEqual(other, []);
    const bad = await failure({ method: 'GET', url: '/v3/subusers', qs: { limit: 0, offset: -1 } });
    assert.equal(bad.code, 400);
    assert.deepEqual(bad.response.body, {
      errors: [
        { field: 'limit', message: 'must be an integer from 1 to 500' },
        { field: 'offset', message: 'must be an integer from 0 to 100000000' },
      ],
    });
  });

  test('PATCH disabled: 204, the subuser’s key stops and comes back; bad bodies', async () => {
    const [off] = await client.request({ method: 'PATCH', url: '/v3/subusers/sub1', body: { disabled: true } });
    assert.equal(off.statusCode, 204);
    assert.equal((await raw('GET', '/v3/stats?start_date=2024-03-10', 'sub1-password')).status, 401);
    const [, listed] = await client.request({ method: 'GET', url: '/v3/subusers', qs: { username: 'sub1' } });
    assert.equal((listed as Array<{ disabled: boolean }>)[0]?.disabled, true);
    const [on] = await client.request({ method: 'PATCH', url: '/v3/subusers/sub1', body: { disabled: false } });
    assert.equal(on.statusCode, 204);
    assert.equal((await raw('GET', '/v3/stats?start_date=2024-03-10', 'sub1-password')).status, 200);
    const none = await failure({ method: 'PATCH', url: '/v3/subusers/sub1', body: {} });
    assert.deepEqual([none.code, none.response.body], [400, { errors: [{ field: null, message: 'no fields provided' }] }]);
    const text = await failure({ method: 'PATCH', url: '/v3/subusers/sub1', body: { disabled: 'yes' } });
    assert.deepEqual(text.response.body, { errors: [{ field: 'disabled', message: 'must be true or false' }] });
  });

  test('tenancy: another reseller’s subuser and an unknown one are both 404; a customer key is 403; no key is 401', async () => {
    for (const name of ['c2', 'nobody']) {
      const patch = await failure({ method: 'PATCH', url: `/v3/subusers/${name}`, body: { disabled: true } });
      assert.deepEqual([patch.code, patch.response.body], [404, { errors: [{ field: null, message: 'subuser not found' }] }], name);
      const del = await failure({ method: 'DELETE', url: `/v3/subusers/${name}` });
      assert.deepEqual([del.code, del.response.body], [404, { errors: [{ field: null, message: 'subuser not found' }] }], name);
    }
    for (const [method, path, body] of [
      ['GET', '/v3/subusers', undefined],
      ['POST', '/v3/subusers', '{"username":"x1","email":"a@b.cc","password":"secret1"}'],
      ['PATCH', '/v3/subusers/c1', '{"disabled":true}'],
      ['DELETE', '/v3/subusers/c1', undefined],
    ] as const) {
      const asCustomer = await raw(method, path, C1.api_key, body);
      assert.equal(asCustomer.status, 403, `${method} ${path}`);
      assert.deepEqual(await asCustomer.json(), { errors: [{ field: null, message: 'access forbidden' }] });
      const anonymous = await fetch(`${url}${path}`, { method });
      assert.equal(anonymous.status, 401);
    }
    assert.equal((await f.store.findCustomerAccount('c1'))?.disabled, false);
    const wrongMethod = await raw('PUT', '/v3/subusers/sub1', R1.api_key, '{}');
    assert.equal(wrongMethod.status, 405);
  });

  test('DELETE: 204; the subuser is gone from the list and its key stops; its name stays held', async () => {
    const [res] = await client.request({ method: 'DELETE', url: '/v3/subusers/sub2' });
    assert.equal(res.statusCode, 204);
    assert.equal((await raw('GET', '/v3/stats?start_date=2024-03-10', 'sub2-password')).status, 401);
    const [, all] = await client.request({ method: 'GET', url: '/v3/subusers' });
    assert.deepEqual((all as Array<{ username: string }>).map((s) => s.username), ['c1', 'sub1']);
    const again = await failure({ method: 'DELETE', url: '/v3/subusers/sub2' });
    assert.equal(again.code, 404);
    const recreate = await failure({ method: 'POST', url: '/v3/subusers', body: { username: 'sub2', email: 'a@example.com', password: 'long-enough' } });
    assert.deepEqual(recreate.response.body, { errors: [{ field: 'username', message: 'username exists' }] });
  });
});
