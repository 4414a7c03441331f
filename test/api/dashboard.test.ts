// The dashboard's HTTP side: sessions (signed, HttpOnly, SameSite=Strict, Secure behind TLS,
// ended by sign-out and by key rotation), CSRF defence, tenant isolation, paging on many
// customers, and the assets served without any CDN.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { hashApiKey } from '../../src/auth/keys.js';
import { type Fixture, at, fixture, postEvents } from '../helpers.js';

const NOW = new Date('2024-06-30T12:00:00Z');

function sessionCookie(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === 'mt_session');
  assert.ok(c, 'a session cookie is set');
  return `mt_session=${c.value}`;
}

describe('dashboard HTTP', () => {
  let f: Fixture;
  const login = (key = 'key-r1-secret', headers: Record<string, string> = {}) =>
    f.app.inject({ method: 'POST', url: '/dashboard/login', payload: { api_user: 'r1', api_key: key }, headers });

  before(async () => {
    f = await fixture(NOW);
    await postEvents(f.app, [
      { event: 'processed', timestamp: at('2024-06-29T10:00:00Z'), email: 'a@x', sg_message_id: 'm1', category: 'news' },
      { event: 'delivered', timestamp: at('2024-06-29T10:00:01Z'), email: 'a@x', sg_message_id: 'm1', category: 'news' },
      { event: 'open', timestamp: at('2024-06-29T11:00:00Z'), email: 'a@x', sg_message_id: 'm1', sg_machine_open: true },
    ]);
  });
  after(async () => {
    await f.close();
  });

  test('the page and its assets are served from this server, with a strict CSP', async () => {
    const page = await f.app.inject({ url: '/dashboard' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    assert.doesNotMatch(page.body, /https?:\/\//, 'no CDN or other origin referenced');
    assert.match(page.headers['content-security-policy'] as string, /default-src 'self'/);
    for (const [name, type] of [['app.js', /javascript/], ['uPlot.iife.min.js', /javascript/], ['uPlot.min.css', /css/], ['app.css', /css/]] as const) {
      const res = await f.app.inject({ url: `/dashboard/assets/${name}` });
      assert.equal(res.statusCode, 200, name);
      assert.match(res.headers['content-type'] as string, type);
    }
    assert.equal((await f.app.inject({ url: '/dashboard/assets/..%2F..%2Fpackage.json' })).statusCode, 404);
  });

  test('data needs a session: 401 in the JSON envelope without one or with a forged one', async () => {
    const none = await f.app.inject({ url: '/dashboard/api/customers' });
    assert.equal(none.statusCode, 401);
    assert.deepEqual(none.json(), { message: 'error', errors: ['Bad username / password'] });
    const forged = Buffer.from(JSON.stringify(['r1', Date.now() + 1e9, 'x'])).toString('base64url');
    assert.equal((await f.app.inject({ url: '/dashboard/api/me', headers: { cookie: `mt_session=${forged}.bogus` } })).statusCode, 401);
  });

  test('sign-in sets an HttpOnly, SameSite=Strict cookie (Secure behind TLS); wrong keys are 401', async () => {
    assert.equal((await login('wrong')).statusCode, 401);
    const res = await login();
    assert.equal(res.statusCode, 200);
    const c = res.cookies.find((x) => x.name === 'mt_session');
    assert.equal(c?.httpOnly, true);
    assert.equal(c?.sameSite, 'Strict');
    assert.equal(c?.path, '/dashboard');
    assert.equal(c?.secure, undefined, 'plain HTTP here');
    const me = await f.app.inject({ url: '/dashboard/api/me', headers: { cookie: sessionCookie(res) } });
    assert.deepEqual(me.json(), { kind: 'reseller', api_user: 'r1', brand: null });

    const tls = await buildApp({ store: f.store, now: () => NOW, trustProxy: ['127.0.0.1'] });
    try {
      const behindProxy = await tls.inject({ method: 'POST', url: '/dashboard/login', payload: { api_user: 'r1', api_key: 'key-r1-secret' }, headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(behindProxy.cookies.find((x) => x.name === 'mt_session')?.secure, true);
    } finally {
      await tls.close();
    }
  });

  test('a cross-site POST is refused (CSRF), a same-origin one accepted', async () => {
    const evil = await login('key-r1-secret', { origin: 'https://evil.example', host: 'localhost:80' });
    assert.equal(evil.statusCode, 403);
    assert.equal(evil.cookies.length, 0);
    const same = await login('key-r1-secret', { origin: 'http://localhost:80', host: 'localhost:80' });
    assert.equal(same.statusCode, 200);
  });

  test('one reseller never sees another\'s customers', async () => {
    const cookie = sessionCookie(await login());
    const list = (await f.app.inject({ url: '/dashboard/api/customers', headers: { cookie } })).json() as { customers: Array<{ username: string }> };
    assert.deepEqual(list.customers.map((c) => c.username), ['c1']);
    const other = await f.app.inject({ url: '/dashboard/api/customers/c2/series', headers: { cookie } });
    const missing = await f.app.inject({ url: '/dashboard/api/customers/nobody/series', headers: { cookie } });
    assert.equal(other.statusCode, 400);
    assert.equal(other.body, missing.body, 'indistinguishable from a customer that does not exist');
  });

  test('series: buckets, machine opens apart, categories; bad parameters are 400', async () => {
    const cookie = sessionCookie(await login());
    const res = await f.app.inject({ url: '/dashboard/api/customers/c1/series?start_date=2024-06-28&end_date=2024-06-30', headers: { cookie } });
    const s = res.json() as { buckets: Array<Record<string, number | string>>; categories: Array<Record<string, number | string>>; timezone: string };
    assert.equal(s.timezone, 'UTC');
    assert.deepEqual(s.buckets.map((b) => [b.date, b.requests, b.delivered, b.human_opens, b.machine_opens]), [
      ['2024-06-28', 0, 0, 0, 0],
      ['2024-06-29', 1, 1, 0, 1],
      ['2024-06-30', 0, 0, 0, 0],
    ]);
    assert.deepEqual(s.categories.map((c) => [c.category, c.requests]), [['news', 1]]);
    const bad = await f.app.inject({ url: '/dashboard/api/customers/c1/series?start_date=2024-02-30&aggregated_by=year', headers: { cookie } });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json().errors, ['error in start_date: must be a date in YYYY-MM-DD format', 'error in aggregated_by: must be day, week or month']);
  });

  test('sign-out ends the session on the server: a copied cookie, and every other session of the account, stop working (issue 10, item 10)', async () => {
    const cookie = sessionCookie(await login());
    const otherBrowser = sessionCookie(await login());
    const copied = cookie; // what someone who copied the cookie keeps sending
    assert.equal((await f.app.inject({ url: '/dashboard/api/me', headers: { cookie: copied } })).statusCode, 200);
    const out = await f.app.inject({ method: 'POST', url: '/dashboard/logout', headers: { cookie } });
    assert.equal(out.statusCode, 200);
    for (const c of [copied, otherBrowser]) {
      const res = await f.app.inject({ url: '/dashboard/api/customers', headers: { cookie: c } });
      assert.equal(res.statusCode, 401);
      assert.deepEqual(res.json(), { message: 'error', errors: ['Bad username / password'] });
    }
    // Signing out again with the dead cookie is harmless; signing in again works.
    assert.equal((await f.app.inject({ method: 'POST', url: '/dashboard/logout', headers: { cookie: copied } })).statusCode, 200);
    const fresh = sessionCookie(await login());
    assert.equal((await f.app.inject({ url: '/dashboard/api/me', headers: { cookie: fresh } })).statusCode, 200);
    assert.equal((await f.app.inject({ url: '/dashboard/api/me', headers: { cookie: copied } })).statusCode, 401, 'the old one stays dead');
  });

  test('the provider breakdown splits the range\'s totals by the provider the events came through (issue 12 item 6)', async () => {
    // Through Brevo on 2024-04-01, outside the other tests' ranges; SendGrid's own on the same day.
    const brevo = (event: string, email: string, ts: number) =>
      f.app.inject({
        method: 'POST',
        url: '/webhooks/brevo?user=c1',
        headers: { authorization: `Basic ${Buffer.from('r1:key-r1-secret').toString('base64')}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ event, email, 'message-id': `<${email}@smtp-relay.mailin.fr>`, ts_event: ts }),
      });
    assert.equal((await brevo('delivered', 'p1@x', at('2024-04-01T10:00:00Z'))).json().accepted, 2);
    assert.equal((await brevo('delivered', 'p2@x', at('2024-04-01T10:00:01Z'))).json().accepted, 2);
    assert.equal((await postEvents(f.app, [{ event: 'processed', timestamp: at('2024-04-01T11:00:00Z'), email: 'p3@x', sg_message_id: 'prov-sg' }])).body.accepted, 1);
    const cookie = sessionCookie(await login());
    const res = await f.app.inject({ url: '/dashboard/api/customers/c1/series?start_date=2024-04-01&end_date=2024-04-02', headers: { cookie } });
    const s = res.json() as { totals: Record<string, number>; providers: Array<Record<string, number | string>> };
    assert.deepEqual(s.providers.map((p) => [p.provider, p.requests, p.delivered]), [
      ['brevo', 2, 2],
      ['sendgrid', 1, 0],
    ]);
    assert.deepEqual([s.totals.requests, s.totals.delivered], [3, 2]);
  });

  test('the category breakdown shows the 100 busiest categories, not every one', async () => {
    // cat-k gets (k mod 3) + 1 requests on 2024-05-01, outside the other tests' ranges.
    const events = Array.from({ length: 150 }, (_, k) =>
      Array.from({ length: (k % 3) + 1 }, (_, n) => ({
        event: 'processed',
        timestamp: at('2024-05-01T10:00:00Z') + n,
        email: 'b@x',
        sg_message_id: `cat${k}.${n}`,
        category: `cat-${String(k).padStart(3, '0')}`,
      })),
    ).flat();
    assert.equal((await postEvents(f.app, events)).body.accepted, events.length);
    const cookie = sessionCookie(await login());
    const res = await f.app.inject({ url: '/dashboard/api/customers/c1/series?start_date=2024-05-01&end_date=2024-05-02', headers: { cookie } });
    const categories = (res.json() as { categories: Array<{ category: string; requests: number }> }).categories;
    assert.equal(categories.length, 100);
    assert.deepEqual(categories.slice(0, 2), [
      { ...categories[0], category: 'cat-002', requests: 3 },
      { ...categories[1], category: 'cat-005', requests: 3 },
    ]);
    assert.ok(categories.every((c) => c.requests >= 2), 'only the busiest');
  });

  test('sign-out, and rotating the key, end the session', async () => {
    const cookie = sessionCookie(await login());
    const out = await f.app.inject({ method: 'POST', url: '/dashboard/logout', headers: { cookie } });
    assert.match(String(out.headers['set-cookie']), /mt_session=;/);
    const again = sessionCookie(await login());
    assert.equal((await f.app.inject({ url: '/dashboard/api/me', headers: { cookie: again } })).statusCode, 200);
    const { salt, hash } = await hashApiKey('key-r1-next');
    await f.store.rotateKey('r1', salt, hash, Buffer.from('dashboard-test-digest'));
    assert.equal((await f.app.inject({ url: '/dashboard/api/me', headers: { cookie: again } })).statusCode, 401);
  });
});

describe('dashboard list on a reseller with 10,000 customers', () => {
  test('one page, sorted across all customers, trend lines for that page only', async () => {
    const f = await fixture(NOW);
    try {
      const r1 = (await f.store.findReseller('r1'))!.id;
      for (let i = 0; i < 10_000; i++) await f.store.addCustomer(`cust-${String(i).padStart(5, '0')}`, r1, 'UTC');
      let daily = 0;
      const store = f.store;
      const counting = { ...store, daily: (...args: Parameters<typeof store.daily>) => (daily++, store.daily(...args)) };
      const app = await buildApp({ store: counting, now: () => NOW });
      try {
        const cookie = sessionCookie(await app.inject({ method: 'POST', url: '/dashboard/login', payload: { api_user: 'r1', api_key: 'key-r1-secret' } }));
        const res = await app.inject({ url: '/dashboard/api/customers?sort=username&dir=desc&offset=50&limit=50', headers: { cookie } });
        const page = res.json() as { total: number; customers: Array<{ username: string; trend: number[] }> };
        assert.equal(page.total, 10_001);
        assert.equal(page.customers.length, 50);
        assert.equal(page.customers[0]?.username, 'cust-09949');
        assert.equal(page.customers[0]?.trend.length, 30);
        assert.equal(daily, 50, 'daily rollups read for the visible page only');
      } finally {
        await app.close();
      }
    } finally {
      await f.close();
    }
  });
});
