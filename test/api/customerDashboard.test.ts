// Customers signing in to the dashboard with their own key (issue 13 item 4, SPEC section 8):
// their own page only, the same answer for a sibling's, another reseller's and an unknown
// customer, no customer list, the reseller's brand; sessions that stop at once when the
// customer is disabled or given a new key — by the real CLI, another process — while the
// reseller's session goes on; and the same CSRF defence as for resellers. Runs on PostgreSQL too
// (test/postgres/api.test.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LightMyRequestResponse } from 'fastify';
import { CUSTOMER_LIST_REFUSED } from '../../src/http/dashboard/routes.js';
import { C1, setCustomerKey } from '../accountHelpers.js';
import { type Fixture, at, fixture, postEvents } from '../helpers.js';

const NOW = new Date('2024-06-30T12:00:00Z');
const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));
const C3 = { api_user: 'c3', api_key: 'key-c3-own' }; // r1's other customer
const BRAND = { name: 'Acme <Mail> & Co', color: '#1a73e8' };

function sessionCookie(res: LightMyRequestResponse): string {
  assert.equal(res.statusCode, 200, res.body);
  const c = res.cookies.find((x) => x.name === 'mt_session');
  assert.ok(c, 'a session cookie is set');
  return `mt_session=${c.value}`;
}

describe('customer dashboard HTTP', () => {
  let f: Fixture;
  const login = (who: { api_user: string; api_key: string }, headers: Record<string, string> = {}) =>
    f.app.inject({ method: 'POST', url: '/dashboard/login', payload: who, headers });
  const get = (url: string, cookie: string) => f.app.inject({ url, headers: { cookie } });
  const series = (user: string, cookie: string) => get(`/dashboard/api/customers/${user}/series?start_date=2024-06-28&end_date=2024-06-30`, cookie);
  /** The CLI in a process of its own, on the fixture's database. */
  const cli = (...args: string[]) => {
    const storage = f.location.databaseUrl ? ['--database-url', f.location.databaseUrl] : ['--db', f.location.dbPath];
    const r = spawnSync(process.execPath, [BIN, ...args, ...storage], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
    assert.equal(r.status, 0, r.stderr);
  };

  before(async () => {
    f = await fixture(NOW);
    await f.store.addCustomer('c3', f.customer.resellerId, 'UTC');
    await setCustomerKey(f.store, 'c1', C1.api_key);
    await setCustomerKey(f.store, 'c3', C3.api_key);
    assert.equal(await f.store.setResellerBrand('r1', BRAND), true);
    await postEvents(f.app, [{ event: 'processed', timestamp: at('2024-06-29T10:00:00Z'), email: 'a@x', sg_message_id: 'm1', category: 'news' }]);
    await postEvents(f.app, [{ event: 'processed', timestamp: at('2024-06-29T10:00:00Z'), email: 'b@x', sg_message_id: 'm2' }], 'c3');
  });
  after(async () => {
    await f.close();
  });

  test('a customer signs in with its own key; /me gives its kind and its reseller\'s brand', async () => {
    const res = await login(C1);
    assert.deepEqual(res.json(), { kind: 'customer', api_user: 'c1' });
    const c = res.cookies.find((x) => x.name === 'mt_session');
    assert.deepEqual([c?.httpOnly, c?.sameSite, c?.path], [true, 'Strict', '/dashboard']);
    const me = await get('/dashboard/api/me', sessionCookie(res));
    assert.deepEqual(me.json(), { kind: 'customer', api_user: 'c1', brand: BRAND });
    // The reseller's own dashboard carries its brand too.
    const reseller = await get('/dashboard/api/me', sessionCookie(await login({ api_user: 'r1', api_key: 'key-r1-secret' })));
    assert.deepEqual(reseller.json(), { kind: 'reseller', api_user: 'r1', brand: BRAND });
  });

  test('wrong, crossed or missing keys are one 401: a customer key is no reseller key, nor the other way round', async () => {
    for (const who of [
      { api_user: 'c1', api_key: 'wrong-key' },
      { api_user: 'r1', api_key: C1.api_key },
      { api_user: 'c1', api_key: 'key-r1-secret' },
      { api_user: 'c2', api_key: 'key-c2-own' }, // c2 has no key at all
    ]) {
      const res = await login(who);
      assert.equal(res.statusCode, 401, JSON.stringify(who));
      assert.deepEqual(res.json(), { message: 'error', errors: ['Bad username / password'] });
      assert.equal(res.cookies.length, 0);
    }
  });

  test('its own series; a sibling\'s, another reseller\'s customer\'s and an unknown name give one and the same answer', async () => {
    const cookie = sessionCookie(await login(C1));
    const own = await series('c1', cookie);
    assert.equal(own.statusCode, 200);
    const s = own.json() as { username: string; totals: { requests: number }; categories: Array<{ category: string }> };
    assert.deepEqual([s.username, s.totals.requests, s.categories.map((c) => c.category)], ['c1', 1, ['news']]);
    const unknown = await series('nobody', cookie);
    assert.equal(unknown.statusCode, 400);
    for (const other of ['c3', 'c2', 'r1', 'C1', 'c1%00']) {
      const res = await series(other, cookie);
      assert.deepEqual([res.statusCode, res.body], [unknown.statusCode, unknown.body], other);
    }
  });

  test('the customer list is refused to a customer session (403), and kept for the reseller', async () => {
    const res = await get('/dashboard/api/customers', sessionCookie(await login(C1)));
    assert.equal(res.statusCode, 403);
    assert.deepEqual(res.json(), { message: 'error', errors: [CUSTOMER_LIST_REFUSED] });
    const reseller = await get('/dashboard/api/customers', sessionCookie(await login({ api_user: 'r1', api_key: 'key-r1-secret' })));
    assert.deepEqual((reseller.json() as { customers: Array<{ username: string }> }).customers.map((c) => c.username).sort(), ['c1', 'c3']);
  });

  test('cross-site sign-in and sign-out are refused (CSRF), same-origin ones accepted', async () => {
    const evil = await login(C1, { origin: 'https://evil.example', host: 'localhost:80' });
    assert.equal(evil.statusCode, 403);
    assert.equal(evil.cookies.length, 0);
    const cookie = sessionCookie(await login(C1, { origin: 'http://localhost:80', host: 'localhost:80' }));
    const out = await f.app.inject({ method: 'POST', url: '/dashboard/logout', headers: { cookie, origin: 'https://evil.example', host: 'localhost:80' } });
    assert.equal(out.statusCode, 403);
    assert.equal((await get('/dashboard/api/me', cookie)).statusCode, 200, 'still signed in');
  });

  test('a customer\'s sign-out ends its sessions only: its sibling\'s and its reseller\'s go on', async () => {
    const mine = sessionCookie(await login(C1));
    const copy = sessionCookie(await login(C1));
    const sibling = sessionCookie(await login(C3));
    const reseller = sessionCookie(await login({ api_user: 'r1', api_key: 'key-r1-secret' }));
    assert.equal((await f.app.inject({ method: 'POST', url: '/dashboard/logout', headers: { cookie: mine } })).statusCode, 200);
    assert.equal((await get('/dashboard/api/me', copy)).statusCode, 401);
    assert.equal((await get('/dashboard/api/me', sibling)).statusCode, 200);
    assert.equal((await series('c1', reseller)).statusCode, 200);
  });

  test('`customer disable` in another process ends the session at once; enable does not revive it; the reseller\'s goes on', async () => {
    const cookie = sessionCookie(await login(C1));
    const reseller = sessionCookie(await login({ api_user: 'r1', api_key: 'key-r1-secret' }));
    assert.equal((await series('c1', cookie)).statusCode, 200);
    cli('customer', 'disable', 'c1');
    for (const url of ['/dashboard/api/me', '/dashboard/api/customers/c1/series']) {
      const res = await get(url, cookie);
      assert.deepEqual([res.statusCode, res.json()], [401, { message: 'error', errors: ['Bad username / password'] }], url);
    }
    assert.equal((await login(C1)).statusCode, 401, 'a disabled customer cannot sign in');
    assert.equal((await series('c1', reseller)).statusCode, 200, 'the reseller still reads it: its events are still counted');
    cli('customer', 'enable', 'c1');
    assert.equal((await get('/dashboard/api/me', cookie)).statusCode, 401, 'the old session stays dead');
    assert.equal((await get('/dashboard/api/me', sessionCookie(await login(C1)))).statusCode, 200);
  });

  test('`customer set-key` in another process ends the session at once; the old key no longer signs in', async () => {
    const cookie = sessionCookie(await login(C1));
    const reseller = sessionCookie(await login({ api_user: 'r1', api_key: 'key-r1-secret' }));
    cli('customer', 'set-key', 'c1', '--api-key', 'key-c1-next');
    assert.equal((await get('/dashboard/api/me', cookie)).statusCode, 401);
    assert.equal((await login(C1)).statusCode, 401);
    const fresh = sessionCookie(await login({ api_user: 'c1', api_key: 'key-c1-next' }));
    assert.equal((await series('c1', fresh)).statusCode, 200);
    assert.equal((await get('/dashboard/api/me', reseller)).statusCode, 200);
    await setCustomerKey(f.store, 'c1', C1.api_key); // back, for any test after this one
  });
});
