// A PostgreSQL database dropped under a running server (issue 10, item 11): every API family
// answers 503 in its own envelope — the client cannot fix it, and a webhook sender must retry —
// never a 500. Against the real PostgreSQL: a database of its own, DROP DATABASE … WITH (FORCE)
// while the app holds connections to it, each family called twice (the first call meets the
// connections the drop terminated, the second a database that no longer exists).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { openPostgres } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/types.js';
import { RETENTION_MS, addReseller, at, basicAuth } from '../helpers.js';
import { PG_ADMIN_URL, type TestDatabase, createTestDatabase, pgSkip } from '../pg.js';

const NOW = new Date('2024-05-02T12:00:00Z');
const KEY = 'key-r1-secret';
const UNAVAILABLE = 'error in storage: temporarily unavailable, retry later';
const LEGACY_JSON = { message: 'error', errors: [UNAVAILABLE] };
const LEGACY_XML = `<?xml version="1.0" encoding="UTF-8"?><result><message>error</message><errors><error>${UNAVAILABLE}</error></errors></result>`;
const V3 = { errors: [{ field: null, message: 'temporarily unavailable, retry later' }] };

const v1 = 'api_user=r1&api_key=key-r1-secret&method=stats&user=c1';

describe('a dropped PostgreSQL database: 503 in every envelope, never 500', { skip: pgSkip }, () => {
  let db: TestDatabase;
  let store: Store;
  let app: FastifyInstance;
  let cookie: string;

  before(async () => {
    db = await createTestDatabase();
    store = await openPostgres(db.url, { retentionMs: RETENTION_MS, poolSize: 4 });
    const r1 = await addReseller(store, 'r1', KEY);
    await store.addCustomer('c1', r1, 'UTC');
    app = await buildApp({ store, now: () => NOW });
    const posted = await app.inject({
      method: 'POST',
      url: '/webhooks/events?user=c1',
      headers: { authorization: basicAuth('r1', KEY), 'content-type': 'application/json' },
      payload: JSON.stringify([{ event: 'processed', timestamp: at('2024-05-02T01:00:00Z'), email: 'a@x', sg_message_id: 'm1' }]),
    });
    assert.equal(posted.statusCode, 200, posted.body);
    const login = await app.inject({ method: 'POST', url: '/dashboard/login', payload: { api_user: 'r1', api_key: KEY } });
    assert.equal(login.statusCode, 200, login.body);
    const c = login.cookies.find((x) => x.name === 'mt_session');
    cookie = `mt_session=${c!.value}`;
    // Every family answers while the database is there, so the 503s below are the drop's doing.
    for (const call of calls()) assert.equal((await call.send()).statusCode, 200, call.name);

    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE ${new URL(db.url).pathname.slice(1)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  });
  after(async () => {
    await app.close();
    await store.close();
    await db.drop(); // IF EXISTS: already gone
  });

  function calls(): Array<{ name: string; send: () => Promise<LightMyRequestResponse>; body: unknown; xml?: boolean }> {
    return [
      { name: 'v1 JSON', send: () => app.inject(`/api/distributor.manage.json?${v1}&aggregate=1`), body: LEGACY_JSON },
      { name: 'v1 XML', send: () => app.inject(`/api/distributor.manage.xml?${v1}&days=3`), body: LEGACY_XML, xml: true },
      {
        name: 'v1 JSON, form body',
        send: () => app.inject({ method: 'POST', url: '/api/distributor.manage.json', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `${v1}&list=true` }),
        body: LEGACY_JSON,
      },
      { name: 'v2 JSON', send: () => app.inject(`/apiv2/reseller.manage.json?${v1}&aggregate=1`), body: LEGACY_JSON },
      { name: 'v2 XML', send: () => app.inject(`/apiv2/reseller.manage.xml?${v1}&category=x`), body: LEGACY_XML, xml: true },
      {
        name: 'v3 stats',
        send: () => app.inject({ url: '/v3/stats?start_date=2024-05-01', headers: { authorization: `Bearer ${KEY}`, 'on-behalf-of': 'c1' } }),
        body: V3,
      },
      { name: 'v3 subuser sums', send: () => app.inject({ url: '/v3/subusers/stats/sums?start_date=2024-05-01', headers: { authorization: `Bearer ${KEY}` } }), body: V3 },
      {
        name: 'webhook',
        send: () =>
          app.inject({
            method: 'POST',
            url: '/webhooks/events?user=c1',
            headers: { authorization: basicAuth('r1', KEY), 'content-type': 'application/json' },
            payload: JSON.stringify([{ event: 'delivered', timestamp: at('2024-05-02T01:00:00Z'), email: 'a@x', sg_message_id: 'm1' }]),
          }),
        body: LEGACY_JSON,
      },
      { name: 'dashboard customers', send: () => app.inject({ url: '/dashboard/api/customers', headers: { cookie } }), body: LEGACY_JSON },
      { name: 'dashboard series', send: () => app.inject({ url: '/dashboard/api/customers/c1/series?days=7', headers: { cookie } }), body: LEGACY_JSON },
      { name: 'dashboard sign-in', send: () => app.inject({ method: 'POST', url: '/dashboard/login', payload: { api_user: 'r1', api_key: KEY } }), body: LEGACY_JSON },
    ];
  }

  test('each API family, twice: 503 with the storage message in its own envelope and format', async () => {
    for (const round of [1, 2]) {
      for (const call of calls()) {
        const res = await call.send();
        const what = `${call.name} (call ${round}): ${res.statusCode} ${res.body}`;
        assert.equal(res.statusCode, 503, what);
        if (call.xml) {
          assert.match(res.headers['content-type'] as string, /^application\/xml/, what);
          assert.equal(res.body, call.body, what);
        } else {
          assert.match(res.headers['content-type'] as string, /^application\/json/, what);
          assert.deepEqual(res.json(), call.body, what);
        }
      }
    }
  });

  test('/readyz agrees: 503, the storage is not reachable', async () => {
    const res = await app.inject('/readyz');
    assert.equal(res.statusCode, 503, res.body);
    assert.match(res.body, /error in storage/);
  });
});
