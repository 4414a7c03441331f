// POST /webhooks/events (SPEC section 4): credentials, body formats, partial success,
// quarantine, limits, storage failures, and that the statistics show what was accepted.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type Fixture, TEST_BACKEND, at, basicAuth, fixture, postEvents, stats } from '../helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z');
const T = at('2024-03-10T09:00:00Z');
const AUTH_R1 = basicAuth('r1', 'key-r1-secret');
const JSON_TYPE = 'application/json; charset=utf-8';
const BAD_CREDENTIALS = { message: 'error', errors: ['Bad username / password'] };
const USER_NOT_FOUND = { message: 'error', errors: ['error in user: user not found'] };
const STACK_FRAME = /\bat [\w$.<>[\]]+ \(|\bat (?:file:|node:|\/)\S*:\d+:\d+/;

function assertNoLeak(res: LightMyRequestResponse, label: string): void {
  assert.ok(!/SQLITE/i.test(res.body) && !res.body.includes('Error:') && !STACK_FRAME.test(res.body), `${label}: leaks internals: ${res.body.slice(0, 300)}`);
}

/** An answer in the JSON envelope with this status and these messages. */
function assertEnvelope(res: LightMyRequestResponse, status: number, errors: string[], label: string): void {
  assertNoLeak(res, label);
  assert.equal(res.statusCode, status, `${label}: ${res.body}`);
  assert.equal(res.headers['content-type'], JSON_TYPE, label);
  assert.deepEqual(JSON.parse(res.body), { message: 'error', errors }, label);
}

interface PostOptions {
  user?: string | null;
  authorization?: string | null;
  contentType?: string | null;
}

function post(app: FastifyInstance, payload: string | Buffer, o: PostOptions = {}) {
  const headers: Record<string, string> = {};
  const authorization = o.authorization === undefined ? AUTH_R1 : o.authorization;
  if (authorization !== null) headers.authorization = authorization;
  const contentType = o.contentType === undefined ? 'application/json' : o.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const user = o.user === undefined ? 'c1' : o.user;
  // `user` is put in the query string as is, so a test can add further parameters.
  const url = user === null ? '/webhooks/events' : `/webhooks/events?user=${user}`;
  return app.inject({ method: 'POST', url, headers, payload });
}

const processed = (i: number, extra: Record<string, unknown> = {}) => ({
  event: 'processed',
  timestamp: T + i,
  sg_message_id: `msg-${i}`,
  email: `u${i}@example.test`,
  sg_event_id: `ev-${i}`,
  ...extra,
});

/** Today's v1 row for c1. */
async function today(f: Fixture): Promise<Record<string, unknown>> {
  const res = await stats(f.app, 'json', { days: '1' });
  assert.equal(res.statusCode, 200, res.body);
  const rows = res.json() as Array<Record<string, unknown>>;
  assert.equal(rows.length, 1);
  return rows[0] as Record<string, unknown>;
}


interface QuarantineRow {
  customer_id: number;
  batch_index: number;
  reason: string;
  payload: string;
}

async function quarantine(f: Fixture): Promise<QuarantineRow[]> {
  return (await f.sql('SELECT customer_id, batch_index, reason, payload FROM quarantine ORDER BY id')) as unknown as QuarantineRow[];
}

describe('webhook: credentials and user', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => {
    await f.close();
  });

  const body = JSON.stringify([processed(1)]);
  const CASES: Array<{ label: string; o: PostOptions }> = [
    { label: 'no Authorization header', o: { authorization: null } },
    { label: 'wrong key', o: { authorization: basicAuth('r1', 'wrong') } },
    { label: 'empty key', o: { authorization: basicAuth('r1', '') } },
    { label: 'unknown reseller', o: { authorization: basicAuth('nobody', 'key-r1-secret') } },
    { label: "r1 with r2's key", o: { authorization: basicAuth('r1', 'key-r2-secret') } },
    { label: 'no colon in the credentials', o: { authorization: `Basic ${Buffer.from('r1key-r1-secret').toString('base64')}` } },
    { label: 'Bearer scheme', o: { authorization: 'Bearer key-r1-secret' } },
    { label: 'not base64', o: { authorization: 'Basic !!!###' } },
    { label: 'credentials in the query string instead of Basic', o: { authorization: null, user: 'c1&api_user=r1&api_key=key-r1-secret' } },
  ];
  for (const c of CASES) {
    test(`${c.label} → 401, nothing applied`, async () => {
      const res = await post(f.app, body, c.o);
      assertNoLeak(res, c.label);
      assert.equal(res.statusCode, 401, res.body);
      assert.deepEqual(res.json(), BAD_CREDENTIALS);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      assert.match(String(res.headers['www-authenticate']), /^Basic\b/);
      assert.equal((await today(f)).requests, 0);
    });
  }

  test("r2's valid credentials for r1's customer are not applied and look exactly like an unknown user", async () => {
    const foreign = await post(f.app, body, { authorization: basicAuth('r2', 'key-r2-secret'), user: 'c1' });
    const ghost = await post(f.app, body, { authorization: basicAuth('r2', 'key-r2-secret'), user: 'ghost' });
    assertNoLeak(foreign, 'foreign');
    assert.ok(foreign.statusCode >= 400 && foreign.statusCode < 500, foreign.body);
    assert.equal(foreign.statusCode, ghost.statusCode);
    assert.equal(foreign.rawPayload.equals(ghost.rawPayload), true, `${foreign.body} vs ${ghost.body}`);
    assert.equal(foreign.headers['content-type'], ghost.headers['content-type']);
    assert.deepEqual(foreign.json(), USER_NOT_FOUND);
    assert.equal((await today(f)).requests, 0, "r2 must not be able to write c1's statistics");
    assert.deepEqual((await quarantine(f)), [], 'nothing quarantined for a refused request');
  });

  test('missing user → 400, repeated user with different values → 400', async () => {
    assertEnvelope(await post(f.app, body, { user: null }), 400, ['error in user: is required'], 'missing user');
    assertEnvelope(await post(f.app, body, { user: 'c1&user=c2' }), 400, ['error in user: must be given only once'], 'two users');
    assert.equal((await today(f)).requests, 0);
  });

  test('bad credentials are refused before an oversized body is looked at', async () => {
    const res = await post(f.app, `[${' '.repeat(17 * 1024 * 1024)}]`, { authorization: basicAuth('r1', 'wrong') });
    assert.equal(res.statusCode, 401, res.body.slice(0, 200));
  });

  test('the right credentials are applied (control)', async () => {
    const res = await post(f.app, body);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { accepted: 1, duplicates: 0, rejected: [] });
    assert.equal((await today(f)).requests, 1);
  });
});

describe('webhook: bodies', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => {
    await f.close();
  });

  const NOT_AN_ARRAY = 'error in body: must be a JSON array of events';
  const NOT_JSON = 'error in body: is not valid JSON';
  const BAD_BODIES: Array<{ label: string; payload: string; error: string }> = [
    { label: 'an object', payload: JSON.stringify(processed(1)), error: NOT_AN_ARRAY },
    { label: 'an object wrapping an array', payload: JSON.stringify({ events: [processed(1)] }), error: NOT_AN_ARRAY },
    { label: 'a number', payload: '42', error: NOT_AN_ARRAY },
    { label: 'a string', payload: '"[]"', error: NOT_AN_ARRAY },
    { label: 'null', payload: 'null', error: NOT_AN_ARRAY },
    { label: 'true', payload: 'true', error: NOT_AN_ARRAY },
    { label: 'invalid JSON', payload: '[{"event":"processed",', error: NOT_JSON },
    { label: 'trailing garbage', payload: '[]x', error: NOT_JSON },
    { label: 'NDJSON with a line that is not JSON', payload: `${JSON.stringify(processed(1))}\n{"event":\n${JSON.stringify(processed(2))}`, error: NOT_JSON },
    { label: 'a pretty-printed object', payload: JSON.stringify(processed(1), null, 2), error: NOT_AN_ARRAY },
    { label: 'empty body', payload: '', error: NOT_JSON },
    { label: 'whitespace only', payload: '  \n ', error: NOT_JSON },
  ];
  for (const b of BAD_BODIES) {
    test(`JSON body that is ${b.label} → 400, nothing applied or quarantined`, async () => {
      assertEnvelope(await post(f.app, b.payload), 400, [b.error], b.label);
      assert.equal((await today(f)).requests, 0);
      assert.deepEqual((await quarantine(f)), []);
    });
  }

  for (const method of ['GET', 'PUT', 'DELETE', 'PROPFIND'] as const) {
    test(`${method} on the webhook → 405 with Allow: POST`, async () => {
      const res = await f.app.inject({ method, url: '/webhooks/events?user=c1', headers: { authorization: basicAuth('r1', 'key-r1-secret') } });
      assertEnvelope(res, 405, ['error in request: HTTP method must be POST'], method);
      assert.equal(res.headers.allow, 'POST');
    });
  }

  test('an empty array is a valid, empty batch', async () => {
    const res = await post(f.app, '[]');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { accepted: 0, duplicates: 0, rejected: [] });
  });

  for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream']) {
    test(`unsupported content type ${contentType} → 415 in the JSON envelope, nothing applied`, async () => {
      const res = await post(f.app, JSON.stringify([processed(1)]), { contentType });
      assertEnvelope(res, 415, ['error in Content-Type: unsupported media type'], contentType);
      assert.equal((await today(f)).requests, 0);
    });
  }

  test('a body without a content type → clear 4xx in the JSON envelope, nothing applied', async () => {
    const res = await post(f.app, Buffer.from(JSON.stringify([processed(1)])), { contentType: null });
    assertNoLeak(res, 'no content type');
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode} ${res.body}`);
    assert.equal(res.headers['content-type'], JSON_TYPE);
    const parsed = res.json() as { message: string; errors: string[] };
    assert.equal(parsed.message, 'error');
    assert.match(parsed.errors[0] ?? '', /^error in (Content-Type|body): /);
    assert.equal((await today(f)).requests, 0);
  });

  test('application/json with a charset parameter is accepted', async () => {
    const res = await post(f.app, JSON.stringify([processed(100)]), { contentType: 'application/json; charset=utf-8' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { accepted: 1, duplicates: 0, rejected: [] });
  });
});

describe('webhook: NDJSON, partial success and quarantine', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => {
    await f.close();
  });

  for (const [label, payload, error] of [
    ['empty', '', 'error in body: is empty'],
    ['only blank lines', '\n  \n\r\n', 'error in body: is empty'],
    ['no line valid JSON', '{"event":\nnot json\n', 'error in body: is not NDJSON (no line is valid JSON)'],
  ] as const) {
    test(`NDJSON body that is ${label} → 400, nothing applied or quarantined`, async () => {
      assertEnvelope(await post(f.app, payload, { contentType: 'application/x-ndjson' }), 400, [error], label);
      assert.deepEqual((await quarantine(f)), []);
    });
  }

  test('NDJSON: every good line applied, a bad line rejected by its index and quarantined verbatim', async () => {
    const lines = [
      JSON.stringify(processed(1)),
      JSON.stringify({ event: 'delivered', timestamp: T + 10, sg_message_id: 'msg-1', email: 'u1@example.test' }),
      '{"event":"open","timestamp":', // cut off
      JSON.stringify({ event: 'open', timestamp: T + 20, sg_message_id: 'msg-1', email: 'u1@example.test' }),
      JSON.stringify({ event: 'bounce', timestamp: T + 30, sg_message_id: 'msg-2', email: 'u2@example.test', type: 'bounce' }),
    ];
    const res = await post(f.app, `${lines.join('\n')}\n`, { contentType: 'application/x-ndjson' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], JSON_TYPE);
    assert.deepEqual(res.json(), { accepted: 4, duplicates: 0, rejected: [{ index: 2, error: 'event is not valid JSON' }] });
    assert.deepEqual(await today(f), { date: '2024-03-10', requests: 1, bounces: 1, clicks: 0, opens: 1, spamreports: 0 });

    const q = (await quarantine(f));
    assert.equal(q.length, 1);
    assert.equal(q[0]?.customer_id, f.customer.id);
    assert.equal(q[0]?.batch_index, 2);
    assert.equal(q[0]?.reason, 'event is not valid JSON');
    assert.equal(q[0]?.payload, lines[2]);

    // The same body again (CRLF this time): the good lines are duplicates, the bad one is
    // reported again but not quarantined twice.
    const again = await post(f.app, `${lines.join('\r\n')}\r\n`, { contentType: 'application/x-ndjson; charset=utf-8' });
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json(), { accepted: 0, duplicates: 4, rejected: [{ index: 2, error: 'event is not valid JSON' }] });
    assert.equal((await today(f)).requests, 1);
    assert.equal((await quarantine(f)).length, 1);
  });

  test('NDJSON sent as application/json (SendGrid\'s batched webhook did so) is read as NDJSON', async () => {
    const before = (await quarantine(f)).length;
    const lines = [JSON.stringify(processed(60, { event: 'delivered' })), '', JSON.stringify(processed(61, { event: 'delivered' })), JSON.stringify({ event: 'nope', timestamp: T })];
    const res = await post(f.app, `${lines.join('\n')}\n`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { accepted: 2, duplicates: 0, rejected: [{ index: 2, error: res.json().rejected[0]?.error }] });
    assert.match(res.json().rejected[0].error, /^event: must be one of /);
    assert.equal((await quarantine(f)).length, before + 1);
  });

  test('application/ndjson is accepted too', async () => {
    const res = await post(f.app, JSON.stringify(processed(50)), { contentType: 'application/ndjson' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { accepted: 1, duplicates: 0, rejected: [] });
  });

  test('JSON array: invalid events rejected per index with a reason, quarantined with their payload, the rest applied', async () => {
    const before = (await quarantine(f)).length;
    const base = { sg_message_id: 'mq', email: 'q@example.test' };
    const batch: unknown[] = [
      { event: 'processed', timestamp: T + 1000, ...base }, // 0 ok
      { timestamp: T + 1001, ...base }, // 1 no event
      { event: 'opened', timestamp: T + 1002, ...base }, // 2 unknown type
      { event: 'processed', ...base }, // 3 no timestamp
      { event: 'processed', timestamp: '1710061200', ...base }, // 4 timestamp as string
      { event: 'processed', timestamp: T + 0.5, ...base }, // 5 fractional timestamp
      { event: 'processed', timestamp: T + 1006, category: Array.from({ length: 11 }, (_, i) => `k${i}`), ...base }, // 6 11 categories
      { event: 'processed', timestamp: T + 1007, category: 'x'.repeat(256), ...base }, // 7 category too long
      { event: 'processed', timestamp: T + 1008, category: 7, ...base }, // 8 category not a string
      { event: 'processed', timestamp: T + 1009, category: ['ok', 3], ...base }, // 9 category array with a number
      42, // 10 not an object
      null, // 11
      [{ event: 'processed', timestamp: T }], // 12 an array
      { event: 'delivered', timestamp: T + 1013, ...base, custom_arg: { nested: [1, 2] }, tenant: 'acme' }, // 13 ok, extra fields ignored
      { event: 'processed', timestamp: T + 1014, category: ['é'.repeat(255)], ...base, sg_message_id: 'mq2' }, // 14 ok: 255 characters
      { event: 'processed', timestamp: -5, ...base }, // 15 negative
      { event: 'spamreport', timestamp: (T + 1016) * 1000 + 250, ...base }, // 16 ok, milliseconds
    ];
    const res = await postEvents(f.app, batch);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = res.body as { accepted: number; duplicates: number; rejected: Array<{ index: number; error: string }> };
    assert.equal(body.accepted, 4);
    assert.equal(body.duplicates, 0);
    assert.deepEqual(
      body.rejected.map((r) => r.index),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15],
    );
    const reasons = new Map(body.rejected.map((r) => [r.index, r.error]));
    // Each reason names what is wrong.
    const expectReason: Array<[number, RegExp]> = [
      [1, /^event: is required$/],
      [2, /^event: must be one of /],
      [3, /^timestamp: is required$/],
      [4, /^timestamp: /],
      [5, /^timestamp: /],
      [6, /^category: at most 10 /],
      [7, /^category: .*255/],
      [8, /^category: /],
      [9, /^category: /],
      [10, /JSON object/],
      [11, /JSON object|event/],
      [12, /JSON object/],
      [15, /^timestamp: /],
    ];
    for (const [i, re] of expectReason) assert.match(reasons.get(i) ?? '(none)', re, `reason of #${i}`);

    const q = (await quarantine(f)).slice(before);
    assert.deepEqual(
      q.map((r) => r.batch_index),
      body.rejected.map((r) => r.index),
    );
    for (const row of q) {
      assert.equal(row.customer_id, f.customer.id);
      assert.equal(row.reason, reasons.get(row.batch_index));
      assert.deepEqual(JSON.parse(row.payload), batch[row.batch_index], `payload of #${row.batch_index}`);
    }

    const t = await today(f);
    // processed(1) + processed(50) from the tests above, plus 0 and 14 here
    assert.equal(t.requests, 4);
    assert.equal(t.spamreports, 1, 'the millisecond timestamp was taken as milliseconds, on today');
  });

  test('a timestamp just above 10^11 is milliseconds, 10^11 itself is seconds', async () => {
    const res = await postEvents(f.app, [
      { event: 'deferred', timestamp: 100_000_000_001, sg_message_id: 'mt1', email: 't@example.test' },
      { event: 'deferred', timestamp: 100_000_000_000, sg_message_id: 'mt2', email: 't@example.test' },
    ]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { accepted: 2, duplicates: 0, rejected: [] });
    const rows = await f.sql(`SELECT day FROM daily_stats WHERE customer_id = ${f.customer.id} AND deferred > 0 ORDER BY day`);
    assert.deepEqual(
      rows.map((r) => r.day),
      [Math.floor(100_000_000 / 86_400), Math.floor(100_000_000_000 / 86_400)],
    );
  });

  test('a batch of only bad events is still 200 with every index rejected', async () => {
    const res = await postEvents(f.app, [{}, { event: 1 }]);
    assert.equal(res.status, 200);
    assert.equal(res.body.accepted, 0);
    assert.deepEqual(
      (res.body.rejected as Array<{ index: number }>).map((r) => r.index),
      [0, 1],
    );
  });
});

describe('webhook: hostile bodies never give a 5xx', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => {
    await f.close();
  });

  // 200 KB of nesting: under the per-event size limit (256 KiB), so it is really parsed.
  const DEEP = 100_000;
  const nested = '['.repeat(DEEP) + ']'.repeat(DEEP);
  const CASES: Array<{ label: string; payload: string | Buffer; contentType?: string; accepted: number; rejected: number }> = [
    { label: 'a deeply nested array as an event', payload: `[${nested}]`, accepted: 0, rejected: 1 },
    { label: 'a deeply nested custom arg on a valid event', payload: `[{"event":"processed","timestamp":${T},"email":"deep@x.test","x":${nested}}]`, accepted: 1, rejected: 0 },
    { label: 'a deeply nested custom arg on an invalid event', payload: `[{"event":"nope","timestamp":${T},"x":${nested}}]`, accepted: 0, rejected: 1 },
    // One level less than the first case: the same item again would be quarantined only once.
    { label: 'a deeply nested NDJSON line', payload: nested.slice(1, -1), contentType: 'application/x-ndjson', accepted: 0, rejected: 1 },
    { label: 'invalid UTF-8', payload: Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d]), accepted: 0, rejected: 1 },
    { label: 'a lone surrogate in a category', payload: `[{"event":"processed","timestamp":${T},"category":"\\ud800"}]`, accepted: 0, rejected: 1 },
    { label: 'a NUL in a category', payload: `[{"event":"processed","timestamp":${T},"category":"a\\u0000b"}]`, accepted: 0, rejected: 1 },
    { label: 'timestamp 1e308', payload: '[{"event":"processed","timestamp":1e308}]', accepted: 0, rejected: 1 },
    { label: '__proto__ keys', payload: `[{"__proto__":{"event":"processed"},"timestamp":${T}},{"event":"processed","timestamp":${T + 7},"constructor":1,"email":"p@x.test"}]`, accepted: 1, rejected: 1 },
  ];
  for (const c of CASES) {
    test(`${c.label} → 200 with per-index results`, async () => {
      const quarantined = (await quarantine(f)).length;
      const res = await post(f.app, c.payload, c.contentType ? { contentType: c.contentType } : {});
      assertNoLeak(res, c.label);
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      const body = res.json() as { accepted: number; rejected: unknown[] };
      assert.equal(body.accepted, c.accepted);
      assert.equal(body.rejected.length, c.rejected);
      assert.equal((await quarantine(f)).length, quarantined + c.rejected, 'every rejected event is quarantined');
    });
  }
});

describe('webhook: statistics reflect exactly what was accepted', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => {
    await f.close();
  });

  test('mixed batch → daily, category and aggregate answers', async () => {
    const y = at('2024-03-09T20:00:00Z');
    const m = (id: string, extra: Record<string, unknown>) => ({ sg_message_id: id, email: `${id}@example.test`, ...extra });
    const batch = [
      m('a', { event: 'processed', timestamp: y, category: ['news', 'promo'] }),
      m('a', { event: 'delivered', timestamp: y + 1, category: ['news', 'promo'] }),
      m('a', { event: 'open', timestamp: y + 2, category: ['news', 'promo'] }),
      m('a', { event: 'open', timestamp: y + 3, category: ['news', 'promo'], sg_machine_open: true }),
      m('a', { event: 'click', timestamp: y + 4, url: 'https://x.test/1', category: ['news', 'promo'] }),
      m('b', { event: 'processed', timestamp: T, category: 'news' }),
      m('b', { event: 'bounce', timestamp: T + 1, type: 'bounce', category: 'news' }),
      m('c', { event: 'processed', timestamp: T }),
      m('c', { event: 'bounce', timestamp: T + 1, type: 'blocked' }),
      m('d', { event: 'dropped', timestamp: T, reason: 'Bounced Address', category: 'promo' }),
      m('e', { event: 'spamreport', timestamp: T, category: ['promo', 'promo'] }),
      { event: 'nonsense', timestamp: T },
    ];
    const res = await postEvents(f.app, batch);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { accepted: 11, duplicates: 0, rejected: [{ index: 11, error: res.body.rejected[0].error }] });

    const daily = await stats(f.app, 'json', { days: '2' });
    assert.deepEqual(daily.json(), [
      { date: '2024-03-09', requests: 1, bounces: 0, clicks: 1, opens: 2, spamreports: 0 },
      { date: '2024-03-10', requests: 3, bounces: 1, clicks: 0, opens: 0, spamreports: 1 },
    ]);
    const byCategory = await stats(f.app, 'json', { days: '2', category: ['promo', 'news', 'unknown'] });
    assert.deepEqual(byCategory.json(), [
      { date: '2024-03-09', category: 'promo', requests: 1, bounces: 0, clicks: 1, opens: 2, spamreports: 0 },
      { date: '2024-03-09', category: 'news', requests: 1, bounces: 0, clicks: 1, opens: 2, spamreports: 0 },
      { date: '2024-03-10', category: 'promo', requests: 1, bounces: 0, clicks: 0, opens: 0, spamreports: 1 },
      { date: '2024-03-10', category: 'news', requests: 1, bounces: 1, clicks: 0, opens: 0, spamreports: 0 },
    ]);
    const aggregate = await stats(f.app, 'json', { aggregate: '1' });
    assert.deepEqual(aggregate.json(), { requests: 4, bounces: 1, clicks: 1, opens: 2, spamreports: 1 });
    const list = await stats(f.app, 'json', { list: 'true' });
    assert.deepEqual(new Set((list.json() as Array<{ category: string }>).map((r) => r.category)), new Set(['news', 'promo']));
  });
});

describe('webhook: body size limit', () => {
  test('a small webhookBodyLimit: at the limit 200, one byte over 413 in the envelope, nothing applied', async () => {
    const f = await fixture(NOW);
    const app = await buildApp({ store: f.store, now: () => f.clock.now, webhookBodyLimit: 1024 });
    try {
      const fill = (size: number, i: number): string => {
        const core = JSON.stringify([processed(i)]);
        return core.slice(0, -1) + ' '.repeat(size - core.length) + ']';
      };
      const atLimit = fill(1024, 1);
      assert.equal(Buffer.byteLength(atLimit), 1024);
      const ok = await post(app, atLimit);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json(), { accepted: 1, duplicates: 0, rejected: [] });

      const over = fill(1025, 2);
      assertEnvelope(await post(app, over), 413, ['error in body: request body is too large'], 'over the limit');
      const overNd = `${JSON.stringify(processed(3))}\n${' '.repeat(1100)}`;
      assertEnvelope(await post(app, overNd, { contentType: 'application/x-ndjson' }), 413, ['error in body: request body is too large'], 'ndjson over the limit');
      assert.equal((await today(f)).requests, 1, 'only the batch within the limit was applied');
    } finally {
      await app.close();
      await f.close();
    }
  });

  test('the default limit is 16 MiB', async () => {
    const f = await fixture(NOW);
    try {
      const limit = 16 * 1024 * 1024;
      const ok = await post(f.app, `[${' '.repeat(limit - 2)}]`);
      assert.equal(ok.statusCode, 200, ok.body.slice(0, 200));
      assertEnvelope(await post(f.app, `[${' '.repeat(limit - 1)}]`), 413, ['error in body: request body is too large'], '16 MiB + 1');
    } finally {
      await f.close();
    }
  });
});

// SQLite-specific (a second connection holding the file's lock); the PostgreSQL outage is
// tested in postgresShared.test.ts through a cut connection.
describe('webhook: storage unavailable', { skip: TEST_BACKEND !== 'sqlite' && 'SQLite lock test' }, () => {
  test('a locked database → 503 in the envelope, nothing half-applied; the retry then succeeds', async () => {
    const f = await fixture(NOW);
    const locker = new Database(join(f.dir.path, 'test.sqlite'));
    try {
      const batch = [processed(1), processed(2)];
      locker.exec('BEGIN EXCLUSIVE');
      const res = await postEvents(f.app, batch); // waits out the store's busy timeout
      locker.exec('ROLLBACK');
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.equal(res.body.message, 'error');
      assert.equal(res.body.errors.length, 1);
      assert.ok(!/SQLITE/i.test(JSON.stringify(res.body)), JSON.stringify(res.body));

      const retry = await postEvents(f.app, batch);
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.body, { accepted: 2, duplicates: 0, rejected: [] }, 'the failed attempt applied nothing');
      assert.equal((await today(f)).requests, 2);
    } finally {
      locker.close();
      await f.close();
    }
  });
});
