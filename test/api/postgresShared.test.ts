// Several server processes on one PostgreSQL database (SPEC section 6, issue 3): two app
// instances receiving the same batches concurrently count every event once; a database outage
// answers 503 in the endpoint's envelope and recovers by itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { hashApiKey } from '../../src/auth/keys.js';
import pg from 'pg';
import { migrationFiles } from '../../src/store/migrations.js';
import { openPostgres } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/types.js';
import { RETENTION_MS, at, basicAuth } from '../helpers.js';
import { type TestDatabase, createTestDatabase, pgSkip } from '../pg.js';
import { outageProxy } from '../pgProxy.js';
import { shuffled } from '../random.js';
import { PROVIDER_BODIES } from '../fixtures/providers.js';
import { countsAfter } from '../providerHelpers.js';

const NOW = new Date('2024-05-02T12:00:00Z');

async function seed(store: Store): Promise<void> {
  const { salt, hash } = await hashApiKey('key-r1-secret');
  await store.addReseller('r1', salt, hash);
  const r1 = await store.findReseller('r1');
  await store.addCustomer('c1', r1!.id, 'UTC');
}

function post(app: FastifyInstance, events: unknown[]) {
  return app.inject({
    method: 'POST',
    url: '/webhooks/events?user=c1',
    headers: { authorization: basicAuth('r1', 'key-r1-secret'), 'content-type': 'application/json' },
    payload: JSON.stringify(events),
  });
}

function postTo(app: FastifyInstance, provider: string, body: unknown) {
  return app.inject({
    method: 'POST',
    url: `/webhooks/${provider}?user=c1`,
    headers: { authorization: basicAuth('r1', 'key-r1-secret'), 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function aggregate(app: FastifyInstance, format: 'json' | 'xml' = 'json') {
  return app.inject({ method: 'GET', url: `/api/distributor.manage.${format}?api_user=r1&api_key=key-r1-secret&method=stats&user=c1&aggregate=1` });
}

describe('PostgreSQL shared by several server processes', { skip: pgSkip }, () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  test('processes starting at the same moment apply each migration once (advisory lock)', async () => {
    const fresh = await createTestDatabase();
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgres(fresh.url, { retentionMs: RETENTION_MS, poolSize: 1 })));
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      await client.end();
      assert.deepEqual(rows.map((r) => r.version), migrationFiles('postgres').map((m) => m.version));
      for (const s of stores) await s.close();
    } finally {
      await fresh.drop();
    }
  });

  test('one process prunes at a time: while another holds the prune lock, pruning skips its round', async () => {
    const fresh = await createTestDatabase();
    const store = await openPostgres(fresh.url, { retentionMs: RETENTION_MS, poolSize: 2 });
    const other = new pg.Client({ connectionString: fresh.url });
    try {
      await seed(store);
      const app = await buildApp({ store, now: () => NOW });
      await post(app, [{ event: 'processed', timestamp: at('2024-05-02T01:00:00Z'), email: 'a@x', sg_message_id: 'm1' }]);
      await app.close();
      const later = new Date(NOW.getTime() + 2 * RETENTION_MS);
      await other.connect();
      await other.query('SELECT pg_advisory_lock($1, $2)', [0x6d74, 2]);
      assert.equal(await store.pruneExpired(later, 100), 0, 'skipped: another process is pruning');
      await other.query('SELECT pg_advisory_unlock($1, $2)', [0x6d74, 2]);
      assert.equal(await store.pruneExpired(later, 100), 1);
    } finally {
      await other.end();
      await store.close();
      await fresh.drop();
    }
  });

  test('two app instances, same batches concurrently and shuffled: every event counted once', async () => {
    const stores = [await openPostgres(db.url, { retentionMs: RETENTION_MS, poolSize: 4 }), await openPostgres(db.url, { retentionMs: RETENTION_MS, poolSize: 4 })];
    await seed(stores[0]!);
    const apps = await Promise.all(stores.map((store) => buildApp({ store, now: () => NOW })));
    try {
      const t0 = at('2024-05-01T00:00:00Z');
      const events = Array.from({ length: 3000 }, (_, i) => {
        const kind = ['processed', 'delivered', 'open', 'click', 'bounce', 'spamreport'][i % 6] as string;
        return { event: kind, timestamp: t0 + i * 30, email: `u${i % 97}@x`, sg_message_id: `m${i % 211}`, url: 'https://e.x/', category: [`cat${i % 7}`], sg_event_id: `e${i}` };
      });
      const batches: unknown[][] = [];
      for (let i = 0; i < events.length; i += 250) batches.push(events.slice(i, i + 250));
      // Each instance gets every batch, in its own order, with sg_event_id changed on the retry.
      const deliveries = apps.flatMap((app, n) =>
        shuffled(batches, n + 1).map((b) => () => post(app, n === 0 ? b : (b as Array<Record<string, unknown>>).map((e) => ({ ...e, sg_event_id: `retry-${String(e.sg_event_id)}` })))),
      );
      const results = await Promise.all(shuffled(deliveries, 42).map((send) => send()));
      let accepted = 0;
      for (const r of results) {
        assert.equal(r.statusCode, 200, r.body);
        accepted += (r.json() as { accepted: number }).accepted;
      }
      assert.equal(accepted, 3000);

      const expected = {
        requests: 500,
        bounces: 500,
        clicks: 500,
        opens: 500,
        spamreports: 500,
      };
      for (const app of apps) assert.deepEqual((await aggregate(app)).json(), expected);
      const row = (await stores[1]!.daily((await stores[1]!.findCustomer('c1'))!.id, { from: 19844, to: 19845 }));
      let uniqueOpens = 0;
      for (const r of row.values()) uniqueOpens += r.unique_opens;
      // Opens are events i ≡ 2 (mod 6); their messages i mod 211 cover every residue once.
      assert.equal(uniqueOpens, 211);
    } finally {
      for (const app of apps) await app.close();
      for (const s of stores) await s.close();
    }
  });

  test('two app instances, every provider\'s samples posted to both at once: counted once, as on SQLite sequentially', async () => {
    const fresh = await createTestDatabase();
    const stores = [await openPostgres(fresh.url, { retentionMs: RETENTION_MS, poolSize: 4 }), await openPostgres(fresh.url, { retentionMs: RETENTION_MS, poolSize: 4 })];
    await seed(stores[0]!);
    const apps = await Promise.all(stores.map((store) => buildApp({ store, now: () => NOW })));
    try {
      const expected: Record<string, number> = {};
      const deliveries: Array<() => Promise<{ statusCode: number; body: string }>> = [];
      // Five bodies per provider keep this within a minute on a loaded machine.
      for (const [provider, all] of Object.entries(PROVIDER_BODIES)) {
        const bodies = all.slice(0, 5);
        for (const [metric, n] of Object.entries((await countsAfter(provider, bodies)).counts)) expected[metric] = (expected[metric] ?? 0) + (n as number);
        for (const app of apps) for (const body of bodies) deliveries.push(() => postTo(app, provider, body));
      }
      const results = await Promise.all(shuffled(deliveries, 7).map((send) => send()));
      for (const r of results) assert.equal(r.statusCode, 200, r.body);
      const totals = await stores[1]!.aggregate((await stores[1]!.findCustomer('c1'))!.id);
      assert.deepEqual(Object.fromEntries(Object.entries(totals).filter(([, n]) => n !== 0)), expected);
    } finally {
      for (const app of apps) await app.close();
      for (const s of stores) await s.close();
      await fresh.drop();
    }
  });

  test('database down: 503 in the envelope, no hang; back up: recovers and counts a retried batch once', async () => {
    const fresh = await createTestDatabase();
    const proxy = await outageProxy(new URL(fresh.url));
    const store = await openPostgres(proxy.url, { retentionMs: RETENTION_MS, poolSize: 2 });
    await seed(store);
    const app = await buildApp({ store, now: () => NOW });
    try {
      const batch = [{ event: 'processed', timestamp: at('2024-05-02T01:00:00Z'), email: 'a@x', sg_message_id: 'm1' }];
      assert.equal((await aggregate(app)).statusCode, 200); // credentials now cached

      proxy.cut();
      const down = await post(app, batch);
      assert.equal(down.statusCode, 503);
      assert.deepEqual(down.json(), { message: 'error', errors: ['error in storage: temporarily unavailable, retry later'] });
      const downXml = await aggregate(app, 'xml');
      assert.equal(downXml.statusCode, 503);
      assert.match(downXml.body, /<result><message>error<\/message><errors><error>error in storage: temporarily unavailable, retry later<\/error><\/errors><\/result>/);

      proxy.restore();
      const up = await post(app, batch);
      assert.equal(up.statusCode, 200);
      assert.equal((up.json() as { accepted: number }).accepted, 1);
      const again = await post(app, batch);
      assert.equal((again.json() as { duplicates: number }).duplicates, 1);
      assert.equal((await aggregate(app)).json().requests, 1);
    } finally {
      await app.close();
      await store.close();
      await proxy.close();
      await fresh.drop();
    }
  });

  test('dashboard sign-out on one instance ends the session on the other (issue 10, item 10)', async () => {
    const fresh = await createTestDatabase();
    const stores = [await openPostgres(fresh.url, { retentionMs: RETENTION_MS, poolSize: 2 }), await openPostgres(fresh.url, { retentionMs: RETENTION_MS, poolSize: 2 })];
    const sessionSecret = 'one-secret-shared-by-both-processes-behind-the-lb';
    try {
      await seed(stores[0]!);
      const [a, b] = (await Promise.all(stores.map((store) => buildApp({ store, now: () => NOW, sessionSecret })))) as [FastifyInstance, FastifyInstance];
      try {
        const login = await a.inject({ method: 'POST', url: '/dashboard/login', payload: { api_user: 'r1', api_key: 'key-r1-secret' } });
        const c = login.cookies.find((x) => x.name === 'mt_session');
        assert.ok(c, 'signed in on a');
        const cookie = `mt_session=${c.value}`;
        assert.equal((await b.inject({ url: '/dashboard/api/me', headers: { cookie } })).statusCode, 200, 'b accepts a session from a');
        assert.equal((await a.inject({ method: 'POST', url: '/dashboard/logout', headers: { cookie } })).statusCode, 200);
        assert.equal((await b.inject({ url: '/dashboard/api/me', headers: { cookie } })).statusCode, 401, 'b refuses it once a signed out');
        assert.equal((await a.inject({ url: '/dashboard/api/customers', headers: { cookie } })).statusCode, 401);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    } finally {
      for (const s of stores) await s.close();
      await fresh.drop();
    }
  });
});
