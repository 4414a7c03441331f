// Bad input to the legacy statistics API (SPEC section 3): one row per rule, each checked in
// both formats and over both transports (query string and form body), with the exact status and
// message, the exact envelope, and no leak of internals.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import type { LightMyRequestResponse } from 'fastify';
import { type Fixture, basicAuth, fixture } from '../helpers.js';
import { prng } from '../random.js';

const NOW = new Date('2024-03-10T12:00:00Z'); // today is 2024-03-10 for the UTC customer c1
const BASE = 'api_user=r1&api_key=key-r1-secret&method=stats&user=c1';
const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';
type Format = 'json' | 'xml';
const FORMATS: Format[] = ['json', 'xml'];

/** YYYY-MM-DD of today + offset days. */
function day(offset: number): string {
  return new Date(Date.UTC(2024, 2, 10) + offset * 86_400_000).toISOString().slice(0, 10);
}

const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

const STACK_FRAME = /\bat [\w$.<>[\]]+ \(|\bat (?:file:|node:|\/)\S*:\d+:\d+/;

/** SPEC: never a 5xx for any input a client can send; never a stack trace or SQL text. */
function assertNoLeak(res: LightMyRequestResponse, label: string): void {
  assert.ok(res.statusCode < 500, `${label}: status ${res.statusCode} (${res.body.slice(0, 200)})`);
  assert.ok(!/SQLITE/i.test(res.body), `${label}: body mentions SQLite: ${res.body.slice(0, 200)}`);
  assert.ok(!res.body.includes('Error:'), `${label}: body has "Error:": ${res.body.slice(0, 200)}`);
  assert.ok(!STACK_FRAME.test(res.body), `${label}: body has a stack frame: ${res.body.slice(0, 200)}`);
}

function assertErrorEnvelope(res: LightMyRequestResponse, format: Format, status: number, errors: string[], label: string): void {
  assertNoLeak(res, label);
  assert.equal(res.statusCode, status, `${label}: status (body ${res.body})`);
  if (format === 'json') {
    assert.equal(res.headers['content-type'], JSON_TYPE, `${label}: content type`);
    assert.deepEqual(JSON.parse(res.body), { message: 'error', errors }, `${label}: body`);
  } else {
    assert.equal(res.headers['content-type'], XML_TYPE, `${label}: content type`);
    const expected = `${XML_DECL}<result><message>error</message><errors>${errors.map((e) => `<error>${xmlEscape(e)}</error>`).join('')}</errors></result>`;
    assert.equal(res.body, expected, `${label}: body`);
    assert.equal(XMLValidator.validate(res.body), true, `${label}: well-formed XML`);
  }
}

type Transport = 'query' | 'form';
const TRANSPORTS: Transport[] = ['query', 'form'];

async function call(f: Fixture, format: Format, qs: string, transport: Transport, path = `/api/distributor.manage.${format}`) {
  return transport === 'query'
    ? f.app.inject({ method: 'GET', url: `${path}?${qs}` })
    : f.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: qs });
}

interface Row {
  rule: string;
  qs: string;
  status: number;
  errors: string[];
}

const BAD_CREDENTIALS = 'Bad username / password';
const USER_NOT_FOUND = 'error in user: user not found';
const DAYS_RANGE = 'error in days: must be an integer from 1 to 1095';
const START_FORMAT = 'error in start_date: must be a date in YYYY-MM-DD format';
const END_FORMAT = 'error in end_date: must be a date in YYYY-MM-DD format';
const DAYS_COMBINED = 'error in days: cannot be combined with start_date or end_date';
const AGGREGATE_VALUE = 'error in aggregate: must be 1 or true (0 or false for a non-aggregate call)';
const LIST_VALUE = 'error in list: must be true or 1';
const cats = (n: number, style = 'category'): string => Array.from({ length: n }, (_, i) => `${style}=c${i}`).join('&');

const ROWS: Row[] = [
  // Credentials: 401 with exactly this message.
  { rule: 'no api_user/api_key', qs: 'method=stats&user=c1', status: 401, errors: [BAD_CREDENTIALS] },
  { rule: 'missing api_key', qs: 'api_user=r1&method=stats&user=c1', status: 401, errors: [BAD_CREDENTIALS] },
  { rule: 'missing api_user', qs: 'api_key=key-r1-secret&method=stats&user=c1', status: 401, errors: [BAD_CREDENTIALS] },
  { rule: 'empty api_key', qs: 'api_user=r1&api_key=&method=stats&user=c1', status: 401, errors: [BAD_CREDENTIALS] },
  { rule: 'wrong api_key', qs: 'api_user=r1&api_key=key-r1-secreT&method=stats&user=c1', status: 401, errors: [BAD_CREDENTIALS] },
  { rule: 'unknown api_user', qs: 'api_user=nobody&api_key=key-r1-secret&method=stats&user=c1', status: 401, errors: [BAD_CREDENTIALS] },
  { rule: "another reseller's key", qs: 'api_user=r1&api_key=key-r2-secret&method=stats&user=c1', status: 401, errors: [BAD_CREDENTIALS] },
  { rule: 'api_user given twice, different', qs: `${BASE}&api_user=r2`, status: 401, errors: [BAD_CREDENTIALS] },
  { rule: 'wrong key and no method', qs: 'api_user=r1&api_key=nope&user=c1', status: 401, errors: [BAD_CREDENTIALS] },
  // method
  { rule: 'missing method', qs: 'api_user=r1&api_key=key-r1-secret&user=c1', status: 400, errors: ['error in method: is required'] },
  { rule: 'unknown method', qs: 'api_user=r1&api_key=key-r1-secret&method=teleport&user=c1', status: 404, errors: ['error in method: unknown method'] },
  { rule: 'method repeated, different', qs: `${BASE}&method=profile`, status: 400, errors: ['error in method: must be given only once'] },
  // user
  { rule: 'missing user', qs: 'api_user=r1&api_key=key-r1-secret&method=stats', status: 400, errors: ['error in user: is required'] },
  { rule: 'unknown user', qs: 'api_user=r1&api_key=key-r1-secret&method=stats&user=ghost', status: 400, errors: [USER_NOT_FOUND] },
  { rule: "another reseller's customer", qs: 'api_user=r1&api_key=key-r1-secret&method=stats&user=c2', status: 400, errors: [USER_NOT_FOUND] },
  { rule: 'user repeated, different', qs: `${BASE}&user=c2`, status: 400, errors: ['error in user: must be given only once'] },
  // days=N: an integer 1 … 1095 in plain decimal
  { rule: 'days=0', qs: `${BASE}&days=0`, status: 400, errors: [DAYS_RANGE] },
  { rule: 'days=1096', qs: `${BASE}&days=1096`, status: 400, errors: [DAYS_RANGE] },
  { rule: 'days=-1', qs: `${BASE}&days=-1`, status: 400, errors: [DAYS_RANGE] },
  { rule: 'days=abc', qs: `${BASE}&days=abc`, status: 400, errors: [DAYS_RANGE] },
  { rule: 'days=1.5', qs: `${BASE}&days=1.5`, status: 400, errors: [DAYS_RANGE] },
  { rule: 'days=2.0', qs: `${BASE}&days=2.0`, status: 400, errors: [DAYS_RANGE] },
  { rule: 'days=1e2', qs: `${BASE}&days=1e2`, status: 400, errors: [DAYS_RANGE] },
  { rule: 'days=0x10', qs: `${BASE}&days=0x10`, status: 400, errors: [DAYS_RANGE] },
  { rule: 'days=+5', qs: `${BASE}&days=%2B5`, status: 400, errors: [DAYS_RANGE] },
  { rule: 'days=" 5"', qs: `${BASE}&days=%205`, status: 400, errors: [DAYS_RANGE] },
  { rule: 'days empty', qs: `${BASE}&days=`, status: 400, errors: [DAYS_RANGE] },
  { rule: 'days huge', qs: `${BASE}&days=99999999999999999999999`, status: 400, errors: [DAYS_RANGE] },
  { rule: 'days repeated, different', qs: `${BASE}&days=1&days=2`, status: 400, errors: ['error in days: must be given only once'] },
  // start_date / end_date: real calendar dates written YYYY-MM-DD
  { rule: 'start_date 2021-02-30', qs: `${BASE}&start_date=2021-02-30`, status: 400, errors: [START_FORMAT] },
  { rule: 'start_date 2023-02-29 (not a leap year)', qs: `${BASE}&start_date=2023-02-29`, status: 400, errors: [START_FORMAT] },
  { rule: 'start_date 2021-04-31', qs: `${BASE}&start_date=2021-04-31`, status: 400, errors: [START_FORMAT] },
  { rule: 'start_date month 13', qs: `${BASE}&start_date=2021-13-01`, status: 400, errors: [START_FORMAT] },
  { rule: 'start_date day 00', qs: `${BASE}&start_date=2021-01-00`, status: 400, errors: [START_FORMAT] },
  { rule: 'start_date unpadded', qs: `${BASE}&start_date=2024-3-1`, status: 400, errors: [START_FORMAT] },
  { rule: 'start_date compact', qs: `${BASE}&start_date=20240301`, status: 400, errors: [START_FORMAT] },
  { rule: 'start_date with time', qs: `${BASE}&start_date=2024-03-01T00:00:00Z`, status: 400, errors: [START_FORMAT] },
  { rule: 'start_date slashes', qs: `${BASE}&start_date=2024/03/01`, status: 400, errors: [START_FORMAT] },
  { rule: 'start_date empty', qs: `${BASE}&start_date=`, status: 400, errors: [START_FORMAT] },
  { rule: 'start_date repeated, different', qs: `${BASE}&start_date=2024-03-01&start_date=2024-03-02`, status: 400, errors: ['error in start_date: must be given only once'] },
  { rule: 'end_date 2024-02-30', qs: `${BASE}&start_date=2024-02-01&end_date=2024-02-30`, status: 400, errors: [END_FORMAT] },
  { rule: 'both dates malformed', qs: `${BASE}&start_date=x&end_date=y`, status: 400, errors: [START_FORMAT, END_FORMAT] },
  { rule: 'end_date after today', qs: `${BASE}&start_date=${day(-3)}&end_date=${day(1)}`, status: 400, errors: ['error in end_date: must not be after today (2024-03-10)'] },
  { rule: 'start after end', qs: `${BASE}&start_date=${day(-2)}&end_date=${day(-3)}`, status: 400, errors: ['error in start_date: must not be after end_date'] },
  { rule: 'start after the default end (today)', qs: `${BASE}&start_date=${day(1)}`, status: 400, errors: ['error in start_date: must not be after today (2024-03-10)'] },
  { rule: 'range of 1096 days', qs: `${BASE}&start_date=${day(-1095)}&end_date=${day(0)}`, status: 400, errors: ['error in start_date: the range may cover at most 1095 days'] },
  { rule: 'range of 1096 days, default end', qs: `${BASE}&start_date=${day(-1095)}`, status: 400, errors: ['error in start_date: the range may cover at most 1095 days'] },
  { rule: 'end_date without start_date', qs: `${BASE}&end_date=${day(-1)}`, status: 400, errors: ['error in end_date: requires start_date'] },
  { rule: 'days with start_date', qs: `${BASE}&days=3&start_date=${day(-2)}`, status: 400, errors: [DAYS_COMBINED] },
  { rule: 'days with end_date', qs: `${BASE}&days=3&end_date=${day(0)}`, status: 400, errors: [DAYS_COMBINED] },
  { rule: 'days with both dates', qs: `${BASE}&days=3&start_date=${day(-2)}&end_date=${day(0)}`, status: 400, errors: [DAYS_COMBINED] },
  // aggregate / list values and combinations
  { rule: 'aggregate=2', qs: `${BASE}&aggregate=2`, status: 400, errors: [AGGREGATE_VALUE] },
  { rule: 'aggregate=yes', qs: `${BASE}&aggregate=yes`, status: 400, errors: [AGGREGATE_VALUE] },
  { rule: 'aggregate=TRUE (values are exact)', qs: `${BASE}&aggregate=TRUE`, status: 400, errors: [AGGREGATE_VALUE] },
  { rule: 'aggregate repeated, different', qs: `${BASE}&aggregate=1&aggregate=0`, status: 400, errors: ['error in aggregate: must be given only once'] },
  { rule: 'list=false', qs: `${BASE}&list=false`, status: 400, errors: [LIST_VALUE] },
  { rule: 'list=yes', qs: `${BASE}&list=yes`, status: 400, errors: [LIST_VALUE] },
  { rule: 'list=tru (the seed typo)', qs: `${BASE}&list=tru`, status: 400, errors: [LIST_VALUE] },
  { rule: 'aggregate + list', qs: `${BASE}&aggregate=1&list=true`, status: 400, errors: ['error in list: cannot be combined with aggregate'] },
  { rule: 'aggregate + category + a date', qs: `${BASE}&aggregate=true&category=a&days=2`, status: 400, errors: ['error in days: is not allowed with aggregate'] },
  { rule: 'list + category', qs: `${BASE}&list=1&category=a`, status: 400, errors: ['error in category: cannot be combined with list'] },
  { rule: 'list + category[]', qs: `${BASE}&list=1&category[]=a&category[]=b`, status: 400, errors: ['error in category: cannot be combined with list'] },
  { rule: 'aggregate + list + category', qs: `${BASE}&aggregate=1&list=1&category=a`, status: 400, errors: ['error in list: cannot be combined with aggregate'] },
  { rule: 'aggregate with days', qs: `${BASE}&aggregate=1&days=3`, status: 400, errors: ['error in days: is not allowed with aggregate'] },
  { rule: 'list with start_date', qs: `${BASE}&list=true&start_date=${day(-2)}`, status: 400, errors: ['error in start_date: is not allowed with list'] },
  // categories: at most 100 per request
  { rule: '101 categories', qs: `${BASE}&${cats(101)}`, status: 400, errors: ['error in category: at most 100 categories per request'] },
  { rule: '101 categories as category[]', qs: `${BASE}&${cats(101, 'category[]')}`, status: 400, errors: ['error in category: at most 100 categories per request'] },
  { rule: 'categories with a bad date', qs: `${BASE}&category=a&start_date=2024-02-30`, status: 400, errors: [START_FORMAT] },
  { rule: 'categories with days and start_date', qs: `${BASE}&category=a&days=2&start_date=${day(-1)}`, status: 400, errors: [DAYS_COMBINED] },
];

describe('legacy stats API: bad input', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => {
    await f.close();
  });

  for (const row of ROWS) {
    test(`${row.rule} → ${row.status} ${row.errors.join(' | ')}`, async () => {
      for (const format of FORMATS) {
        for (const transport of TRANSPORTS) {
          const res = await call(f, format, row.qs, transport);
          assertErrorEnvelope(res, format, row.status, row.errors, `${row.rule} [${format}, ${transport}]`);
        }
      }
    });
  }

  test('unknown user and another reseller\'s customer give byte-identical answers', async () => {
    for (const format of FORMATS) {
      for (const transport of TRANSPORTS) {
        const ghost = await call(f, format, 'api_user=r1&api_key=key-r1-secret&method=stats&user=ghost&days=3', transport);
        const other = await call(f, format, 'api_user=r1&api_key=key-r1-secret&method=stats&user=c2&days=3', transport);
        assert.equal(ghost.statusCode, 400);
        assert.equal(other.statusCode, ghost.statusCode);
        assert.equal(other.rawPayload.equals(ghost.rawPayload), true, `${format}/${transport}: ${other.body} vs ${ghost.body}`);
        for (const h of ['content-type', 'content-length', 'www-authenticate', 'allow']) assert.equal(other.headers[h], ghost.headers[h], h);
      }
    }
  });

  test('the customer of the other reseller is served to its own reseller (control for the row above)', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/api/distributor.manage.json?api_user=r2&api_key=key-r2-secret&method=stats&user=c2' });
    assert.equal(res.statusCode, 200, res.body);
  });

  for (const method of ['PUT', 'DELETE', 'PATCH'] as const) {
    test(`${method} → 405 in the envelope, with Allow`, async () => {
      for (const format of FORMATS) {
        const res = await f.app.inject({ method, url: `/api/distributor.manage.${format}?${BASE}` });
        assertErrorEnvelope(res, format, 405, ['error in request: HTTP method must be GET or POST'], `${method} ${format}`);
        assert.equal(res.headers.allow, 'GET, POST');
      }
    });
  }

  // SPEC: "405 for methods other than GET/POST" — every method a client can send, not only
  // the ones the router knows by default (Node's HTTP parser accepts all of these).
  for (const method of ['OPTIONS', 'TRACE', 'QUERY', 'PROPFIND', 'SEARCH', 'PURGE', 'LINK', 'COPY', 'REPORT'] as const) {
    test(`${method} on the endpoint → 405 in the envelope`, async () => {
      for (const format of FORMATS) {
        for (const alias of ['manage', 'manageSubuser']) {
          const res = await f.app.inject({ method, url: `/api/distributor.${alias}.${format}?${BASE}` });
          assertErrorEnvelope(res, format, 405, ['error in request: HTTP method must be GET or POST'], `${method} ${alias}.${format}`);
          assert.equal(res.headers.allow, 'GET, POST');
        }
      }
    });
  }

  test('HEAD on the endpoint → 405 with Allow, no body', async () => {
    const res = await f.app.inject({ method: 'HEAD', url: `/api/distributor.manage.json?${BASE}` });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers.allow, 'GET, POST');
    assert.equal(res.body, '');
  });

  for (const path of ['/api/nope', '/api/distributor.manage.html', '/api/distributor.manage.json/extra', '/api/distributor.manager', '/api/v3/stats']) {
    test(`unknown path ${path} → 404 in the envelope`, async () => {
      for (const format of FORMATS) {
        const url = `${path}.${format}`;
        for (const transport of TRANSPORTS) {
          const res = await call(f, format, BASE, transport, url);
          assertErrorEnvelope(res, format, 404, ['error in path: unknown endpoint'], `${url} ${transport}`);
        }
      }
    });
  }
});

/** A successful answer in the right format and content type. */
function assertOk(res: LightMyRequestResponse, format: Format, label: string): void {
  assertNoLeak(res, label);
  assert.equal(res.statusCode, 200, `${label}: ${res.body}`);
  assert.equal(res.headers['content-type'], format === 'json' ? JSON_TYPE : XML_TYPE, label);
  if (format === 'xml') {
    assert.ok(res.body.startsWith(XML_DECL), label);
    assert.equal(XMLValidator.validate(res.body), true, label);
  }
}

describe('legacy stats API: the good neighbours of each rule', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => {
    await f.close();
  });

  const ZERO = { requests: 0, bounces: 0, clicks: 0, opens: 0, spamreports: 0 };
  const dailyRows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ date: day(from + i), ...ZERO }));

  const GOOD: Array<{ rule: string; qs: string; json: unknown }> = [
    { rule: 'no date parameter means today', qs: BASE, json: dailyRows(0, 0) },
    { rule: 'days=1', qs: `${BASE}&days=1`, json: dailyRows(0, 0) },
    { rule: 'days=1095', qs: `${BASE}&days=1095`, json: dailyRows(-1094, 0) },
    { rule: 'days repeated with the same value', qs: `${BASE}&days=3&days=3`, json: dailyRows(-2, 0) },
    { rule: 'start_date = end_date is one day', qs: `${BASE}&start_date=${day(-4)}&end_date=${day(-4)}`, json: dailyRows(-4, -4) },
    { rule: 'end_date = today', qs: `${BASE}&start_date=${day(-1)}&end_date=${day(0)}`, json: dailyRows(-1, 0) },
    { rule: 'a leap day', qs: `${BASE}&start_date=2024-02-29&end_date=2024-02-29`, json: [{ date: '2024-02-29', ...ZERO }] },
    { rule: 'exactly 1095 days', qs: `${BASE}&start_date=${day(-1094)}`, json: dailyRows(-1094, 0) },
    { rule: 'aggregate=1', qs: `${BASE}&aggregate=1`, json: ZERO },
    { rule: 'aggregate=true', qs: `${BASE}&aggregate=true`, json: ZERO },
    { rule: 'aggregate=0 is a daily call', qs: `${BASE}&aggregate=0&days=2`, json: dailyRows(-1, 0) },
    { rule: 'aggregate=false with list', qs: `${BASE}&aggregate=false&list=true`, json: [] },
    { rule: 'list=1', qs: `${BASE}&list=1`, json: [] },
    { rule: '100 categories', qs: `${BASE}&${cats(100)}`, json: [] },
    { rule: '101 names of which 100 distinct', qs: `${BASE}&${cats(100)}&category=c0`, json: [] },
    { rule: 'api_user repeated with the same value', qs: `${BASE}&api_user=r1`, json: dailyRows(0, 0) },
  ];

  for (const g of GOOD) {
    test(`${g.rule} → 200`, async () => {
      for (const format of FORMATS) {
        for (const transport of TRANSPORTS) {
          const res = await call(f, format, g.qs, transport);
          assertOk(res, format, `${g.rule} [${format}, ${transport}]`);
          if (format === 'json') assert.deepEqual(JSON.parse(res.body), g.json, g.rule);
        }
      }
    });
  }

  test('parameters split between query string and form body are merged', async () => {
    for (const format of FORMATS) {
      const res = await f.app.inject({
        method: 'POST',
        url: `/api/distributor.manage.${format}?api_user=r1&api_key=key-r1-secret`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `method=stats&user=c1&days=2`,
      });
      assertOk(res, format, `split ${format}`);
      if (format === 'json') assert.deepEqual(JSON.parse(res.body), dailyRows(-1, 0));
    }
  });

  test('a list parameter split between query and body keeps the request order', async () => {
    const post = await f.app.inject({
      method: 'POST',
      url: '/webhooks/events?user=c1',
      headers: { authorization: basicAuth('r1', 'key-r1-secret'), 'content-type': 'application/json' },
      payload: JSON.stringify([
        { event: 'processed', timestamp: Math.floor(NOW.getTime() / 1000) - 60, sg_message_id: 'm1', email: 'a@x.test', category: ['b', 'a'] },
      ]),
    });
    assert.equal(post.statusCode, 200, post.body);
    const res = await f.app.inject({
      method: 'POST',
      url: `/api/distributor.manage.json?${BASE}&category[]=b`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'category[]=a',
    });
    assertOk(res, 'json', 'split category');
    assert.deepEqual(JSON.parse(res.body), [
      { date: day(0), category: 'b', requests: 1, bounces: 0, clicks: 0, opens: 0, spamreports: 0 },
      { date: day(0), category: 'a', requests: 1, bounces: 0, clicks: 0, opens: 0, spamreports: 0 },
    ]);
  });

  test('the same scalar in query and body: equal values are fine, different values are an error', async () => {
    for (const format of FORMATS) {
      const same = await f.app.inject({
        method: 'POST',
        url: `/api/distributor.manage.${format}?${BASE}&days=2`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'days=2',
      });
      assertOk(same, format, `same ${format}`);
      const different = await f.app.inject({
        method: 'POST',
        url: `/api/distributor.manage.${format}?${BASE}&days=2`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'days=3',
      });
      assertErrorEnvelope(different, format, 400, ['error in days: must be given only once'], `different ${format}`);
    }
  });

  test('credentials only in the form body of a POST', async () => {
    for (const format of FORMATS) {
      const res = await call(f, format, `${BASE}&days=1`, 'form');
      assertOk(res, format, `form ${format}`);
    }
  });

  test('the manageSubuser alias rejects exactly like manage', async () => {
    for (const format of FORMATS) {
      for (const row of ROWS.filter((_, i) => i % 7 === 0)) {
        const res = await call(f, format, row.qs, 'query', `/api/distributor.manageSubuser.${format}`);
        assertErrorEnvelope(res, format, row.status, row.errors, `alias ${row.rule} ${format}`);
      }
    }
  });
});


describe('legacy stats API: no input gives a 5xx or leaks internals', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => {
    await f.close();
  });

  const KEYS = ['api_user', 'api_key', 'method', 'user', 'days', 'start_date', 'end_date', 'aggregate', 'list', 'category', 'category[]', 'days[]', '__proto__', 'constructor', 'x'];
  const VALUES = [
    'r1', 'key-r1-secret', 'stats', 'c1', 'c2', '1', '0', '-1', '1095', '1096', 'true', 'false', '', ' ', '2024-03-01', '2024-02-30',
    '0000-01-01', '9999-12-31', '275760-09-13', "'; DROP TABLE daily_stats; --", '%00', '%ZZ', '%E0%A4%A', '\u00e9t\u00e9', '<a&b>', 'x'.repeat(5000),
    '1e400', 'NaN', 'Infinity', '[object Object]', '%ED%A0%80', '%FF%FE',
  ];

  test('300 random parameter mixes over GET and POST, both formats (seed 20240310)', async () => {
    const rand = prng(20240310);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    for (let i = 0; i < 300; i++) {
      const parts: string[] = [];
      // Mostly valid credentials, so the parameter rules behind them are reached too.
      if (rand() < 0.85) parts.push('api_user=r1', 'api_key=key-r1-secret', 'method=stats', 'user=c1');
      const n = 1 + Math.floor(rand() * 5);
      for (let k = 0; k < n; k++) {
        const v = pick(VALUES);
        parts.push(`${encodeURIComponent(pick(KEYS))}=${v.startsWith('%') ? v : encodeURIComponent(v)}`);
      }
      const qs = parts.join('&');
      const format = pick(FORMATS);
      const transport = pick(TRANSPORTS);
      const res = await call(f, format, qs, transport);
      const label = `#${i} ${format} ${transport} ${qs.slice(0, 200)}`;
      assertNoLeak(res, label);
      assert.equal(res.headers['content-type'], format === 'json' ? JSON_TYPE : XML_TYPE, label);
      if (format === 'json') {
        const body = JSON.parse(res.body) as unknown;
        if (res.statusCode !== 200) assert.equal((body as { message?: unknown }).message, 'error', label);
      } else {
        assert.ok(res.body.startsWith(XML_DECL), label);
        assert.equal(XMLValidator.validate(res.body), true, label);
      }
    }
  });

  test('odd transports: JSON body, text body, malformed JSON, oversized form body', async () => {
    const cases: Array<{ label: string; headers: Record<string, string>; payload: string; status?: number }> = [
      // Parameters come from the query string or a form body only: any JSON body is refused.
      { label: 'malformed JSON body', headers: { 'content-type': 'application/json' }, payload: '{"api_user":', status: 415 },
      { label: 'JSON body with nested values', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ api_user: { $ne: 1 }, api_key: ['a', { b: 1 }] }), status: 415 },
      { label: 'JSON body with valid parameters', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ api_user: 'r1', api_key: 'key-r1-secret', method: 'stats', user: 'c1', days: 5 }), status: 415 },
      { label: 'form body of 2 MiB', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `${BASE}&x=${'a'.repeat(2 * 1024 * 1024)}` },
      { label: 'unknown content type', headers: { 'content-type': 'application/octet-stream' }, payload: 'abc' },
    ];
    for (const format of FORMATS) {
      for (const c of cases) {
        const res = await f.app.inject({ method: 'POST', url: `/api/distributor.manage.${format}`, headers: c.headers, payload: c.payload });
        const label = `${c.label} ${format}`;
        assertNoLeak(res, label);
        assert.ok(res.statusCode >= 400, `${label}: ${res.statusCode}`);
        if (c.status !== undefined) assert.equal(res.statusCode, c.status, label);
        assert.equal(res.headers['content-type'], format === 'json' ? JSON_TYPE : XML_TYPE, label);
        if (format === 'xml') assert.equal(XMLValidator.validate(res.body), true, label);
        else assert.equal((JSON.parse(res.body) as { message: string }).message, 'error', label);
      }
    }
  });
});
