// The operational surface (issue 7): /readyz, /metrics, /openapi.json and /docs, through the
// real app on the test backend (test/postgres/api.test.ts reruns this file on PostgreSQL).
import { ADAPTERS } from '../../src/providers/index.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/app.js';
import { StorageUnavailableError } from '../../src/domain/errors.js';
import { allowedMethods } from '../../src/http/paths.js';
import { checkReadiness, expectedSchemaVersion } from '../../src/services/readiness.js';
import { createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { type Fixture, R1, RETENTION_MS, TEST_BACKEND, at, fixture, postEvents } from '../helpers.js';
import { openApiProblems, schemaErrors } from './openapiCheck.js';

const NOW = new Date('2024-03-10T12:00:00Z');
const T = at('2024-03-10T09:00:00Z');
const JSON_TYPE = 'application/json; charset=utf-8';

/** The store with some methods replaced; every other call goes to the real one. */
const wrapped = (store: Store, overrides: Partial<Store>): Store => ({ ...store, ...overrides });

describe('GET /readyz', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(() => f.close());

  test('200 {"status":"ready"} when storage answers and every migration is applied', async () => {
    const res = await f.app.inject('/readyz');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], JSON_TYPE);
    assert.deepEqual(res.json(), { status: 'ready' });
    assert.equal(await f.store.schemaVersion(), expectedSchemaVersion(f.store.backend));
  });

  /** A 503 in the legacy JSON envelope with one message matching `message`. */
  async function assertNotReady(store: Store, message: RegExp): Promise<void> {
    const app = await buildApp({ store });
    try {
      const res = await app.inject('/readyz');
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      const body = res.json() as { message: string; errors: string[] };
      assert.equal(body.message, 'error');
      assert.equal(body.errors.length, 1);
      assert.match(body.errors[0] as string, message);
      assert.doesNotMatch(res.body, /SQLITE|ECONNREFUSED|at \//, 'no internals');
      // Liveness does not depend on storage: the process is alive, just not ready.
      assert.equal((await app.inject('/healthz')).statusCode, 200);
    } finally {
      await app.close();
    }
  }

  test('503 when the database schema is behind the migration files', async () => {
    const behind = expectedSchemaVersion(f.store.backend) - 1;
    await assertNotReady(wrapped(f.store, { schemaVersion: async () => behind }), new RegExp(`^error in migrations: database schema is at migration ${behind}, this mailtally needs ${behind + 1}`));
  });

  test('ready when the schema is ahead (a newer process migrated during a rolling upgrade)', async () => {
    const ahead = expectedSchemaVersion(f.store.backend) + 1;
    const app = await buildApp({ store: wrapped(f.store, { schemaVersion: async () => ahead }) });
    assert.equal((await app.inject('/readyz')).statusCode, 200);
    await app.close();
  });

  test('503 when storage is unavailable', async () => {
    await assertNotReady(
      wrapped(f.store, {
        schemaVersion: async () => {
          throw new StorageUnavailableError('postgres ECONNREFUSED');
        },
      }),
      /^error in storage: is not reachable$/,
    );
  });

  test('503 on a closed store', async () => {
    const closed = await createStore(f.location, { retentionMs: RETENTION_MS });
    await closed.close();
    await assertNotReady(closed, /^error in storage: is not reachable$/);
  });

  test('a storage call that hangs is "not ready" within the probe timeout, not a hung probe', async () => {
    const hanging = wrapped(f.store, { schemaVersion: () => new Promise<number>(() => undefined) });
    const started = Date.now();
    const r = await checkReadiness(hanging, 50);
    assert.deepEqual({ ready: r.ready, reason: r.ready ? '' : r.reason }, { ready: false, reason: 'did not answer within 50 ms' });
    assert.ok(Date.now() - started < 2000);
  });

  test('POST /readyz is 405 with Allow: GET, HEAD', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/readyz' });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers.allow, 'GET, HEAD');
  });

  // Load balancers and uptime checkers often probe with HEAD (issue 10, item 15).
  test('HEAD /readyz and HEAD /healthz answer 200 without a body; other methods stay 405', async () => {
    for (const url of ['/readyz', '/healthz']) {
      const res = await f.app.inject({ method: 'HEAD', url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, '', url);
      const put = await f.app.inject({ method: 'PUT', url });
      assert.equal(put.statusCode, 405, url);
      assert.equal(put.headers.allow, 'GET, HEAD', url);
    }
  });
});

describe('GET /metrics', () => {
  let f: Fixture;
  let text: string;
  const SECRET = 'key-r1-secret';

  before(async () => {
    f = await fixture(NOW);
    const batch = [
      { event: 'processed', timestamp: T, email: 'a@x.test', sg_message_id: 'm1' },
      { event: 'delivered', timestamp: T + 1, email: 'a@x.test', sg_message_id: 'm1' },
      { event: 'nonsense', timestamp: T },
    ];
    const first = await postEvents(f.app, batch);
    assert.deepEqual([first.body.accepted, first.body.duplicates, first.body.rejected.length], [2, 0, 1]);
    await postEvents(f.app, batch); // again: 2 duplicates, 1 rejected
    await postEvents(f.app, []);
    // Credentials in a query string, in a path nobody serves, and wrong ones.
    await f.app.inject(`/api/distributor.manage.json?api_user=r1&api_key=${SECRET}&method=stats&user=c1&days=1`);
    await f.app.inject(`/api/nowhere/${SECRET}?api_key=${SECRET}`);
    await f.app.inject(`/nowhere/${SECRET}?api_key=${SECRET}`);
    await f.app.inject(`/v3/stats?start_date=2024-03-10&api_key=${SECRET}`);
    const res = await f.app.inject('/metrics');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    text = res.body;
  });
  after(() => f.close());

  const sample = (name: string, labels = ''): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  test('events accepted / duplicate / rejected, and batch sizes', () => {
    assert.equal(sample('mailtally_events_total', '{outcome="accepted"}'), 2);
    assert.equal(sample('mailtally_events_total', '{outcome="duplicate"}'), 2);
    assert.equal(sample('mailtally_events_total', '{outcome="rejected"}'), 2);
    assert.equal(sample('mailtally_webhook_batch_size_count'), 3);
    assert.equal(sample('mailtally_webhook_batch_size_sum'), 6);
    assert.equal(sample('mailtally_webhook_batch_size_bucket', '{le="0"}'), 1);
    assert.equal(sample('mailtally_webhook_batch_size_bucket', '{le="10"}'), 3);
  });

  test('requests by route pattern and status, with latency histograms', () => {
    assert.equal(sample('mailtally_http_requests_total', '{method="POST",route="/webhooks/events",status_code="200"}'), 3);
    assert.equal(sample('mailtally_http_requests_total', '{method="GET",route="/api/*",status_code="200"}'), 1);
    assert.equal(sample('mailtally_http_requests_total', '{method="GET",route="/api/*",status_code="404"}'), 1);
    assert.equal(sample('mailtally_http_requests_total', '{method="GET",route="unmatched",status_code="404"}'), 1);
    assert.equal(sample('mailtally_http_requests_total', '{method="GET",route="/v3/stats",status_code="401"}'), 1);
    assert.equal(sample('mailtally_http_request_duration_seconds_count', '{method="POST",route="/webhooks/events",status_code="200"}'), 3);
    assert.equal(sample('mailtally_http_request_duration_seconds_bucket', '{le="+Inf",method="POST",route="/webhooks/events",status_code="200"}'), 3);
  });

  test('never an api_key, a customer name or a raw URL', () => {
    assert.ok(!text.includes(SECRET), 'the key leaked into /metrics');
    assert.ok(!text.includes('api_key') && !text.includes('api_user'));
    assert.ok(!text.includes('nowhere') && !text.includes('distributor.manage') && !text.includes('c1'));
  });

  test('process metrics, and database pool gauges on PostgreSQL only', () => {
    assert.ok(sample('process_cpu_user_seconds_total') !== undefined);
    assert.ok(sample('nodejs_heap_size_used_bytes') !== undefined);
    if (TEST_BACKEND === 'postgres') {
      assert.ok((sample('mailtally_db_pool_connections') ?? -1) >= 1);
      assert.equal(sample('mailtally_db_pool_max_connections'), 4);
      assert.equal(sample('mailtally_db_pool_waiting_requests'), 0);
      assert.ok(sample('mailtally_db_pool_idle_connections') !== undefined);
    } else {
      assert.ok(!text.includes('mailtally_db_pool'), 'SQLite has no pool to report');
    }
  });

  test('the key check gate reports its load: nothing hashing or waiting once requests are answered', () => {
    assert.equal(sample('mailtally_key_checks_running'), 0);
    assert.equal(sample('mailtally_key_checks_waiting'), 0);
  });

  test('read cache counters and bytes on both backends (rollup reads are served from memory)', () => {
    assert.equal(sample('mailtally_read_cache_budget_bytes'), 64 * 1024 * 1024);
    assert.ok((sample('mailtally_read_cache_misses_total') ?? 0) >= 1, 'the stats call read through the cache');
    assert.equal(sample('mailtally_read_cache_hits_total'), 0);
    assert.equal(sample('mailtally_read_cache_evictions_total'), 0);
    const bytes = sample('mailtally_read_cache_bytes') ?? -1;
    assert.ok(bytes > 0 && bytes <= 64 * 1024 * 1024, `${bytes} bytes`);
    assert.ok((sample('mailtally_read_cache_entries') ?? 0) >= 1);
  });

  test('several apps in one process keep their own counts', async () => {
    const other = await buildApp({ store: f.store });
    try {
      const body = (await other.inject('/metrics')).body;
      assert.match(body, /^mailtally_events_total\{outcome="accepted"\} 0$/m);
      assert.match(body, /^process_cpu_user_seconds_total /m, 'process metrics in every app');
    } finally {
      await other.close();
    }
  });
});

describe('GET /openapi.json and /docs', () => {
  let f: Fixture;
  let doc: Record<string, any>;
  before(async () => {
    f = await fixture(NOW);
    const res = await f.app.inject('/openapi.json');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], JSON_TYPE);
    doc = res.json();
  });
  after(() => f.close());

  // Every endpoint the app serves (the dashboard is a page, not an API, and has its own tests).
  const ENDPOINTS: Record<string, string[]> = {
    '/api/distributor.manage.json': ['get', 'post'],
    '/api/distributor.manage.xml': ['get', 'post'],
    '/api/distributor.manageSubuser.json': ['get', 'post'],
    '/api/distributor.manageSubuser.xml': ['get', 'post'],
    '/apiv2/reseller.manage.json': ['get', 'post'],
    '/apiv2/reseller.manage.xml': ['get', 'post'],
    '/apiv2/reseller.manageSubuser.json': ['get', 'post'],
    '/apiv2/reseller.manageSubuser.xml': ['get', 'post'],
    '/v3/stats': ['get'],
    '/v3/subusers/stats': ['get'],
    '/v3/subusers/stats/sums': ['get'],
    '/v3/subusers/stats/monthly': ['get'],
    '/api/stats.get.json': ['get', 'post'],
    '/api/distributor.add.json': ['get', 'post'],
    '/api/distributor.add.xml': ['get', 'post'],
    '/api/distributor.delete.json': ['get', 'post'],
    '/api/distributor.delete.xml': ['get', 'post'],
    '/v3/subusers': ['get', 'post'],
    '/v3/subusers/{subuser_name}': ['patch', 'delete'],
    '/api/stats.get.xml': ['get', 'post'],
    '/v3/categories/stats': ['get'],
    '/v3/categories/stats/sums': ['get'],
    ...Object.fromEntries(
      ['bounces', 'blocks', 'invalid_emails', 'spam_reports', 'unsubscribes'].flatMap((l) => [
        [`/v3/suppression/${l}`, ['get', 'delete']],
        [`/v3/suppression/${l}/{email}`, ['get', 'delete']],
      ]),
    ),
    // The singular one-address path of SendGrid's SDK examples.
    '/v3/suppression/spam_report/{email}': ['get', 'delete'],
    '/webhooks/events': ['post'],
    ...Object.fromEntries(Object.keys(ADAPTERS).map((p) => [`/webhooks/${p}`, ['post']])),
    '/healthz': ['get', 'head'],
    '/readyz': ['get', 'head'],
    '/metrics': ['get'],
    '/openapi.json': ['get'],
    '/docs': ['get'],
  };

  test('is structurally valid OpenAPI 3.0', () => {
    assert.deepEqual(openApiProblems(doc), []);
  });

  test('documents exactly the endpoints served, with the methods the server allows', async () => {
    assert.deepEqual(Object.keys(doc.paths).sort(), Object.keys(ENDPOINTS).sort());
    for (const [path, methods] of Object.entries(ENDPOINTS)) {
      const documented = Object.keys(doc.paths[path]).filter((k) => ['get', 'head', 'post', 'put', 'delete', 'patch'].includes(k));
      assert.deepEqual(documented, methods, path);
      assert.equal(allowedMethods(path), methods.map((m) => m.toUpperCase()).join(', '), `${path}: paths.ts agrees`);
      for (const method of methods) {
        const res = await f.app.inject({ method: method.toUpperCase() as 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE', url: path });
        assert.notEqual(res.statusCode, 404, `${method} ${path} is served`);
        assert.notEqual(res.statusCode, 405, `${method} ${path} is served`);
      }
    }
  });

  test('security schemes: api_user/api_key, Basic for the webhook, Bearer for v3', () => {
    const schemes = doc.components.securitySchemes;
    assert.deepEqual(schemes.apiUser, { ...schemes.apiUser, type: 'apiKey', in: 'query', name: 'api_user' });
    assert.deepEqual(schemes.apiKey, { ...schemes.apiKey, type: 'apiKey', in: 'query', name: 'api_key' });
    assert.equal(schemes.basicAuth.scheme, 'basic');
    assert.equal(schemes.bearerAuth.scheme, 'bearer');
    assert.deepEqual(doc.paths['/api/distributor.manage.json'].get.security, [{ apiUser: [], apiKey: [] }]);
    assert.deepEqual(doc.paths['/apiv2/reseller.manage.xml'].post.security, [{ apiUser: [], apiKey: [] }]);
    assert.deepEqual(doc.paths['/webhooks/events'].post.security, [{ basicAuth: [] }]);
    for (const p of Object.keys(ENDPOINTS).filter((p) => p.startsWith('/v3/'))) {
      for (const method of ENDPOINTS[p] ?? []) assert.deepEqual(doc.paths[p][method].security, [{ bearerAuth: [] }], `${method} ${p}`);
    }
    assert.deepEqual(doc.paths['/readyz'].get.security, []);
  });

  test('carries the real parameter rules', () => {
    const params = doc.components.parameters;
    assert.deepEqual([params.legacy_days.schema.minimum, params.legacy_days.schema.maximum], [1, 1095]);
    assert.equal(params.legacy_start_date.schema.pattern, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$');
    assert.deepEqual(params.legacy_aggregate.schema.enum, ['1', 'true', '0', 'false']);
    assert.deepEqual(params.legacy_list.schema.enum, ['true', '1']);
    assert.equal(params.legacy_category.schema.maxItems, 100);
    assert.deepEqual(params.legacy_method.schema.enum, ['stats', 'bounces', 'blocks', 'spamreports', 'invalidemails', 'unsubscribes', 'profile', 'enable', 'disable', 'password']);
    assert.equal(params.v3_start_date.required, true);
    assert.deepEqual(params.v3_aggregated_by.schema.enum, ['day', 'week', 'month']);
    assert.deepEqual([params.v3_limit.schema.minimum, params.v3_limit.schema.maximum, params.v3_limit.schema.default], [1, 500, 5]);
    assert.deepEqual([params.v3_offset.schema.minimum, params.v3_offset.schema.maximum], [0, 1_000_000]);
    assert.equal(params.v3_subusers.schema.maxItems, 10);
    assert.equal(params.v3_categories.schema.maxItems, 10);
    assert.equal(params.v3_sort_by_metric.schema.enum.length, 16);
    assert.equal(params['v3_on_behalf_of'].in, 'header');
    const form = doc.paths['/api/distributor.manage.xml'].post.requestBody.content['application/x-www-form-urlencoded'].schema;
    assert.equal(form.properties.days.maximum, 1095);
    assert.deepEqual(Object.keys(doc.paths['/webhooks/events'].post.requestBody.content), ['application/json', 'application/x-ndjson', 'application/ndjson']);
    assert.ok(doc.paths['/v3/stats'].get.responses['429'].headers['Retry-After']);
    assert.ok(doc.paths['/api/distributor.manage.json'].get.responses['405'].headers.Allow);
  });

  /** `res`'s body is valid against what the document says `path` answers with this status. */
  function assertDocumented(path: string, method: 'get' | 'post', res: { statusCode: number; body: string }): void {
    const content = doc.paths[path][method].responses[String(res.statusCode)]?.content;
    assert.ok(content, `${method} ${path} ${res.statusCode} is documented`);
    const schema = content['application/json'].schema;
    assert.deepEqual(schemaErrors(doc, schema, JSON.parse(res.body)), [], `${method} ${path} ${res.statusCode}: ${res.body.slice(0, 300)}`);
  }

  test('real answers match the documented schemas, errors included', async () => {
    const events = [
      { event: 'processed', timestamp: T, email: 'a@x.test', sg_message_id: 'm1', category: ['news', 'promo'] },
      { event: 'open', timestamp: T + 5, email: 'a@x.test', sg_message_id: 'm1', category: 'news', sg_machine_open: true },
      { event: 'bogus', timestamp: T },
    ];
    const webhook = await f.app.inject({
      method: 'POST',
      url: '/webhooks/events?user=c1',
      headers: { authorization: `Basic ${Buffer.from('r1:key-r1-secret').toString('base64')}`, 'content-type': 'application/json' },
      payload: JSON.stringify(events),
    });
    assertDocumented('/webhooks/events', 'post', webhook);
    assertDocumented('/webhooks/events', 'post', await f.app.inject({ method: 'POST', url: '/webhooks/events?user=c1', headers: { 'content-type': 'application/json' }, payload: '[]' }));

    const legacy = (path: string, params: Record<string, string | string[]>) => {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries({ ...R1, method: 'stats', user: 'c1', ...params })) for (const x of [v].flat()) qs.append(k, x);
      return f.app.inject(`${path}?${qs}`);
    };
    for (const path of ['/api/distributor.manage.json', '/apiv2/reseller.manage.json']) {
      const calls: Array<Record<string, string | string[]>> = [
        { days: '3' },
        { aggregate: '1' },
        { list: 'true' },
        { category: ['news', 'promo'], start_date: '2024-03-09' },
        { days: '0', start_date: 'x' },
        { method: 'nope' },
      ];
      for (const params of calls) {
        assertDocumented(path, 'get', await legacy(path, params));
      }
    }

    const v3 = (url: string, onBehalfOf?: string) =>
      f.app.inject({ url, headers: { authorization: 'Bearer key-r1-secret', ...(onBehalfOf ? { 'on-behalf-of': onBehalfOf } : {}) } });
    assertDocumented('/v3/stats', 'get', await v3('/v3/stats?start_date=2024-03-01&aggregated_by=week', 'c1'));
    assertDocumented('/v3/subusers/stats', 'get', await v3('/v3/subusers/stats?subusers=c1&start_date=2024-03-09'));
    assertDocumented('/v3/subusers/stats/sums', 'get', await v3('/v3/subusers/stats/sums?start_date=2024-03-09'));
    assertDocumented('/v3/categories/stats', 'get', await v3('/v3/categories/stats?categories=news&start_date=2024-03-09&exclude_machine_opens=true', 'c1'));
    assertDocumented('/v3/categories/stats/sums', 'get', await v3('/v3/categories/stats/sums?start_date=2024-03-09&sort_by_metric=opens&limit=1', 'c1'));
    assertDocumented('/v3/stats', 'get', await v3('/v3/stats?limit=x', 'c1'));
    assertDocumented('/v3/stats', 'get', await f.app.inject('/v3/stats?start_date=2024-03-09'));

    assertDocumented('/healthz', 'get', await f.app.inject('/healthz'));
    assertDocumented('/readyz', 'get', await f.app.inject('/readyz'));
  });

  test('GET /docs: an HTML page pointing Swagger UI at /openapi.json, all from this server', async () => {
    const page = await f.app.inject('/docs');
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.doesNotMatch(page.body, /https?:\/\//, 'no CDN: nothing loaded from another origin');
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    assert.deepEqual(assets.sort(), ['/docs/favicon-32x32.png', '/docs/swagger-initializer.js', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui-standalone-preset.js', '/docs/swagger-ui.css']);

    const types: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.png': 'image/png' };
    for (const asset of assets) {
      const res = await f.app.inject(asset);
      assert.equal(res.statusCode, 200, asset);
      assert.equal(res.headers['content-type'], types[asset.slice(asset.lastIndexOf('.'))], asset);
      assert.ok(res.rawPayload.length > 100, asset);
    }
    const bundle = await f.app.inject('/docs/swagger-ui-bundle.js');
    assert.ok(bundle.body.length > 500_000 && bundle.body.includes('SwaggerUIBundle'), 'the real Swagger UI bundle');
    const init = await f.app.inject('/docs/swagger-initializer.js');
    assert.match(init.body, /url: '\/openapi\.json'/);
    assert.match(init.body, /validatorUrl: null/);
    assert.equal((await f.app.inject('/docs/nothing.js')).statusCode, 404);
    assert.equal((await f.app.inject({ method: 'POST', url: '/docs' })).statusCode, 405);
  });
});
