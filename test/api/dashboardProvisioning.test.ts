// Issue 14 item 4: the reseller's dashboard creates, disables, enables and deletes customers.
// Every action needs the session cookie, the action header and (when sent) a same-site Origin;
// another reseller's customer answers like an unknown one; the customer's password works at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { type Fixture, fixture } from '../helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z');
const HOST = 'localhost:80';
const ACTION = { 'x-mailtally-request': 'dashboard', origin: `http://${HOST}`, host: HOST };

const sessionCookie = (res: LightMyRequestResponse): string => {
  const c = res.cookies.find((x) => x.name === 'mt_session');
  assert.ok(c, 'a session cookie is set');
  return `mt_session=${c.value}`;
};

describe('dashboard: customer actions', () => {
  let f: Fixture;
  let cookie: string;
  const act = (method: 'POST' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = ACTION) =>
    f.app.inject({ method, url, payload, headers: { cookie, ...headers } });
  const listed = async () =>
    ((await f.app.inject({ url: '/dashboard/api/customers', headers: { cookie } })).json() as { customers: Array<{ username: string }> }).customers.map((c) => c.username).sort();
  const statsGet = (user: string, key: string) => f.app.inject({ url: `/api/stats.get.json?api_user=${user}&api_key=${key}&aggregate=1` });

  before(async () => {
    f = await fixture(NOW);
    cookie = sessionCookie(await f.app.inject({ method: 'POST', url: '/dashboard/login', payload: { api_user: 'r1', api_key: 'key-r1-secret' } }));
  });
  after(() => f.close());

  test('create: 201, listed, its password is its api_key; bad input and a held name are 400s', async () => {
    const res = await act('POST', '/dashboard/api/customers', { username: 'd1', password: 'd1-password', timezone: 'Europe/Paris' });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json(), { username: 'd1', timezone: 'Europe/Paris' });
    assert.deepEqual(await listed(), ['c1', 'd1']);
    assert.equal((await statsGet('d1', 'd1-password')).statusCode, 200);
    const bad = await act('POST', '/dashboard/api/customers', { username: '', password: 'abc', timezone: 'No/Where' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), {
      message: 'error',
      errors: ['error in username: is required', 'error in password: must be 6 to 1024 characters', 'error in timezone: must be an IANA time zone name such as Europe/Berlin'],
    });
    const taken = await act('POST', '/dashboard/api/customers', { username: 'c2', password: 'long-enough' });
    assert.deepEqual([taken.statusCode, taken.json()], [400, { message: 'error', errors: ['error in username: is already taken'] }]);
  });

  test('CSRF: no action header, a foreign Origin, or no session — refused, nothing changes', async () => {
    const noHeader = await act('POST', '/dashboard/api/customers', { username: 'x1', password: 'x1-password' }, { origin: `http://${HOST}`, host: HOST });
    assert.equal(noHeader.statusCode, 403);
    const foreign = await act('POST', '/dashboard/api/customers/d1/disable', undefined, { ...ACTION, origin: 'https://evil.example' });
    assert.equal(foreign.statusCode, 403);
    assert.deepEqual(foreign.json(), { message: 'error', errors: ['error in Origin: cross-site request refused'] });
    const foreignDelete = await act('DELETE', '/dashboard/api/customers/d1', undefined, { ...ACTION, origin: 'https://evil.example' });
    assert.equal(foreignDelete.statusCode, 403);
    const anonymous = await f.app.inject({ method: 'DELETE', url: '/dashboard/api/customers/d1', headers: ACTION });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(await f.store.findCustomer('x1'), null);
    assert.equal((await f.store.findCustomerAccount('d1'))?.disabled, false);
    assert.equal((await f.app.inject({ method: 'PUT', url: '/dashboard/api/customers/d1', headers: { cookie, ...ACTION } })).statusCode, 405);
  });

  test('disable / enable / delete own customers; another reseller’s and unknown ones answer alike', async () => {
    const off = await act('POST', '/dashboard/api/customers/d1/disable');
    assert.deepEqual([off.statusCode, off.json()], [200, { username: 'd1', disabled: true }]);
    assert.equal((await statsGet('d1', 'd1-password')).statusCode, 401);
    const on = await act('POST', '/dashboard/api/customers/d1/enable');
    assert.deepEqual(on.json(), { username: 'd1', disabled: false });
    assert.equal((await statsGet('d1', 'd1-password')).statusCode, 200);
    for (const name of ['c2', 'nobody']) {
      for (const [method, url] of [
        ['POST', `/dashboard/api/customers/${name}/disable`],
        ['DELETE', `/dashboard/api/customers/${name}`],
      ] as const) {
        const r = await act(method, url);
        assert.deepEqual([r.statusCode, r.json()], [400, { message: 'error', errors: ['error in user: user not found'] }], `${method} ${url}`);
      }
    }
    assert.ok(await f.store.findCustomer('c2'), 'the other reseller’s customer is untouched');
    const del = await act('DELETE', '/dashboard/api/customers/d1');
    assert.deepEqual([del.statusCode, del.json()], [200, { username: 'd1', deleted: true }]);
    assert.deepEqual(await listed(), ['c1']);
    assert.equal((await statsGet('d1', 'd1-password')).statusCode, 401);
    assert.equal((await act('DELETE', '/dashboard/api/customers/d1')).statusCode, 400);
  });
});
