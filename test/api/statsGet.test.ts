// Issue 13, SPEC section 8: the Web API statistics call, /api/stats.get.{json,xml}, with a
// customer's own credentials (its own numbers, in its time zone) and with a reseller's (the sum
// over all its customers, UTC days). Golden answers, byte for byte, in JSON and XML, for every
// shape and every error; then a replay of the requests real stats.get clients send, over a
// real socket, checked against the rollup tables read with SQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { C1, setCustomerKey } from '../accountHelpers.js';
import { type Fixture, R1, at, fixture, postEvents } from '../helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z');
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
// The key order of a real stats.get answer (research/sendgrid.md 4.3), written out here, not imported.
const KEYS = ['delivered', 'unsubscribes', 'invalid_email', 'bounces', 'repeat_unsubscribes', 'unique_clicks', 'spam_drop', 'repeat_bounces', 'repeat_spamreports', 'blocked', 'requests', 'spamreports', 'clicks', 'opens', 'unique_opens'];

type Creds = { api_user: string; api_key: string };

/** A row: its leading fields, then all 15 metrics in order, zero unless given. */
function row(lead: Record<string, string>, metrics: Record<string, number> = {}): Record<string, string | number> {
  const out: Record<string, string | number> = { ...lead };
  for (const k of KEYS) out[k] = metrics[k] ?? 0;
  return out;
}
const xmlFields = (r: Record<string, string | number>): string => Object.entries(r).map(([k, v]) => `<${k}>${v}</${k}>`).join('');

describe('stats.get golden answers', () => {
  let f: Fixture;
  const get = (creds: Creds, params: string, format: 'json' | 'xml' = 'json') =>
    f.app.inject({ method: 'GET', url: `/api/stats.get.${format}?api_user=${creds.api_user}&api_key=${creds.api_key}${params ? `&${params}` : ''}` });

  before(async () => {
    f = await fixture(NOW);
    await setCustomerKey(f.store, 'c1', C1.api_key);
    // c3: r1's second customer, in New York; c2 belongs to r2 and must never show up.
    await f.store.addCustomer('c3', f.customer.resellerId, 'America/New_York');
    await postEvents(f.app, [
      { event: 'processed', timestamp: at('2024-03-09T10:00:00Z'), email: 'a@x', sg_message_id: 'm1', category: ['news', 'promo'] },
      { event: 'delivered', timestamp: at('2024-03-09T10:01:00Z'), email: 'a@x', sg_message_id: 'm1', category: 'news' },
      { event: 'open', timestamp: at('2024-03-10T08:00:00Z'), email: 'a@x', sg_message_id: 'm1', category: 'news' },
      { event: 'bounce', type: 'blocked', timestamp: at('2024-03-10T09:00:00Z'), email: 'b@x', sg_message_id: 'm2' },
      { event: 'dropped', reason: 'Spam Content', timestamp: at('2024-03-10T09:30:00Z'), email: 'c@x', sg_message_id: 'm3' },
    ]);
    await postEvents(f.app, [{ event: 'processed', timestamp: at('2024-03-09T15:00:00Z'), email: 'z@x', sg_message_id: 'n1', category: 'news' }], 'c3');
    const r2 = await f.app.inject({
      method: 'POST',
      url: '/webhooks/events?user=c2',
      headers: { authorization: `Basic ${Buffer.from('r2:key-r2-secret').toString('base64')}`, 'content-type': 'application/json' },
      payload: JSON.stringify([{ event: 'processed', timestamp: at('2024-03-09T10:00:00Z'), email: 'q@x', sg_message_id: 'o1', category: 'news' }]),
    });
    assert.equal(r2.statusCode, 200);
  });
  after(() => f.close());

  const C1_DAYS = [
    row({ date: '2024-03-09' }, { delivered: 1, requests: 1 }),
    row({ date: '2024-03-10' }, { blocked: 1, requests: 1, spam_drop: 1, opens: 1, unique_opens: 1 }),
  ];

  test('daily (days=2), JSON and XML, customer credentials', async () => {
    const json = await get(C1, 'days=2');
    assert.equal(json.statusCode, 200);
    assert.equal(json.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(json.body, JSON.stringify(C1_DAYS));
    const xml = await get(C1, 'days=2', 'xml');
    assert.equal(xml.headers['content-type'], 'application/xml; charset=utf-8');
    assert.equal(xml.body, `${XML_HEAD}<stats>${C1_DAYS.map((r) => `<day>${xmlFields(r)}</day>`).join('')}</stats>`);
  });

  test('no date parameter is today; a range; a user parameter is ignored', async () => {
    assert.equal((await get(C1, '')).body, JSON.stringify(C1_DAYS.slice(1)));
    assert.equal((await get(C1, 'start_date=2024-03-08&end_date=2024-03-09')).body, JSON.stringify([row({ date: '2024-03-08' }), C1_DAYS[0]]));
    assert.equal((await get(C1, 'days=2&user=c2')).body, JSON.stringify(C1_DAYS), "another customer's name changes nothing");
  });

  test('aggregate, aggregate with categories, list, category statistics', async () => {
    const total = row({}, { delivered: 1, blocked: 1, requests: 2, spam_drop: 1, opens: 1, unique_opens: 1 });
    assert.equal((await get(C1, 'aggregate=1')).body, JSON.stringify(total));
    assert.equal((await get(C1, 'aggregate=1', 'xml')).body, `${XML_HEAD}<stats>${xmlFields(total)}</stats>`);

    const perCategory = [row({ category: 'promo' }, { requests: 1 }), row({ category: 'news' }, { delivered: 1, requests: 1, opens: 1, unique_opens: 1 })];
    assert.equal((await get(C1, 'aggregate=1&category=promo&category=unknown&category=news')).body, JSON.stringify(perCategory));
    assert.equal(
      (await get(C1, 'aggregate=true&category[]=promo&category[]=news', 'xml')).body,
      `${XML_HEAD}<stats>${perCategory.map((r) => `<category_stats>${xmlFields(r)}</category_stats>`).join('')}</stats>`,
    );

    assert.equal((await get(C1, 'list=true')).body, '[{"category":"news"},{"category":"promo"}]');
    assert.equal((await get(C1, 'list=1', 'xml')).body, `${XML_HEAD}<categories><category>news</category><category>promo</category></categories>`);

    const rows = [
      row({ date: '2024-03-09', category: 'news' }, { delivered: 1, requests: 1 }),
      row({ date: '2024-03-09', category: 'promo' }, { requests: 1 }),
      row({ date: '2024-03-10', category: 'news' }, { opens: 1, unique_opens: 1 }),
      row({ date: '2024-03-10', category: 'promo' }),
    ];
    assert.equal((await get(C1, 'category[]=news&category[]=promo&days=2')).body, JSON.stringify(rows));
    assert.equal((await get(C1, 'category=news&category=promo&days=2', 'xml')).body, `${XML_HEAD}<stats>${rows.map((r) => `<day>${xmlFields(r)}</day>`).join('')}</stats>`);
    assert.equal((await get(C1, 'category=unknown&days=2')).body, '[]');
    assert.equal((await get(C1, 'category=unknown&days=2', 'xml')).body, `${XML_HEAD}<stats/>`);
  });

  test("reseller credentials: the sum over all its customers (not another reseller's), UTC days", async () => {
    // c3's processed event is on the 9th in New York too; c2 (r2's) is not counted.
    const days = [row({ date: '2024-03-09' }, { delivered: 1, requests: 2 }), ...C1_DAYS.slice(1)];
    assert.equal((await get(R1, 'days=2')).body, JSON.stringify(days));
    assert.equal((await get(R1, 'days=2', 'xml')).body, `${XML_HEAD}<stats>${days.map((r) => `<day>${xmlFields(r)}</day>`).join('')}</stats>`);
    assert.equal((await get(R1, 'aggregate=1')).body, JSON.stringify(row({}, { delivered: 1, blocked: 1, requests: 3, spam_drop: 1, opens: 1, unique_opens: 1 })));
    assert.equal(
      (await get(R1, 'aggregate=1&category=news')).body,
      JSON.stringify([row({ category: 'news' }, { delivered: 1, requests: 2, opens: 1, unique_opens: 1 })]),
    );
    assert.equal((await get(R1, 'list=true')).body, '[{"category":"news"},{"category":"promo"}]');
    assert.equal(
      (await get(R1, 'category=news&start_date=2024-03-09&end_date=2024-03-09')).body,
      JSON.stringify([row({ date: '2024-03-09', category: 'news' }, { delivered: 1, requests: 2 })]),
    );
    assert.equal((await get(R1, 'days=2&user=c2')).body, JSON.stringify(days), 'user is ignored for resellers too');
    // r2's view holds only c2.
    assert.equal((await get({ api_user: 'r2', api_key: 'key-r2-secret' }, 'aggregate=1')).body, JSON.stringify(row({}, { requests: 1 })));
  });

  const ERRORS: Array<[string, string, number, string]> = [
    ['no credentials', '', 401, 'Bad username / password'],
    ['a wrong key', 'api_key=nope', 401, 'Bad username / password'],
    ['days=0', 'days=0', 400, 'error in days: must be an integer from 1 to 1095'],
    ['days=1096', 'days=1096', 400, 'error in days: must be an integer from 1 to 1095'],
    ['days with start_date', 'days=2&start_date=2024-03-01', 400, 'error in days: cannot be combined with start_date or end_date'],
    ['end_date alone', 'end_date=2024-03-01', 400, 'error in end_date: requires start_date'],
    ['end_date after today', 'start_date=2024-03-01&end_date=2024-03-11', 400, 'error in end_date: must not be after today (2024-03-10)'],
    ['start after end', 'start_date=2024-03-05&end_date=2024-03-01', 400, 'error in start_date: must not be after end_date'],
    ['not a calendar date', 'start_date=2024-02-30', 400, 'error in start_date: must be a date in YYYY-MM-DD format'],
    ['more than 1095 days', 'start_date=2021-03-01', 400, 'error in start_date: the range may cover at most 1095 days'],
    ['aggregate=2', 'aggregate=2', 400, 'error in aggregate: must be 1 or true (0 or false for a non-aggregate call)'],
    ['list=false', 'list=false', 400, 'error in list: must be true or 1'],
    ['aggregate with list', 'aggregate=1&list=true', 400, 'error in list: cannot be combined with aggregate'],
    ['list with category', 'list=true&category=a', 400, 'error in category: cannot be combined with list'],
    ['aggregate with days', 'aggregate=1&days=3', 400, 'error in days: is not allowed with aggregate'],
    ['days twice', 'days=1&days=2', 400, 'error in days: must be given only once'],
    ['101 categories', Array.from({ length: 101 }, (_, i) => `category=k${i}`).join('&'), 400, 'error in category: at most 100 categories per request'],
  ];

  for (const [rule, params, status, message] of ERRORS) {
    test(`error: ${rule} (${status}), JSON and XML, customer and reseller credentials`, async () => {
      for (const creds of [C1, R1]) {
        const base = rule === 'no credentials' ? '' : rule === 'a wrong key' ? `api_user=${creds.api_user}` : `api_user=${creds.api_user}&api_key=${creds.api_key}`;
        const url = (format: string) => `/api/stats.get.${format}?${[base, params].filter(Boolean).join('&')}`;
        const json = await f.app.inject({ method: 'GET', url: url('json') });
        assert.equal(json.statusCode, status, `${creds.api_user}: ${json.body}`);
        assert.equal(json.body, JSON.stringify({ message: 'error', errors: [message] }));
        const xml = await f.app.inject({ method: 'POST', url: url('xml') });
        assert.equal(xml.statusCode, status);
        assert.equal(xml.body, `${XML_HEAD}<result><message>error</message><errors><error>${message}</error></errors></result>`);
      }
    });
  }

  test('error: other methods are 405 with Allow, other file names under /api/ 404, in the envelope', async () => {
    const put = await f.app.inject({ method: 'PUT', url: '/api/stats.get.json' });
    assert.equal(put.statusCode, 405);
    assert.equal(put.headers.allow, 'GET, POST');
    assert.deepEqual(put.json(), { message: 'error', errors: ['error in request: HTTP method must be GET or POST'] });
    const other = await f.app.inject({ method: 'GET', url: '/api/stats.get.csv?api_user=c1&api_key=key-c1-own' });
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().message, 'error');
  });
});

describe('replay of real stats.get clients over a socket, checked against the rollups', () => {
  let f: Fixture;
  let base: string;
  let expected: string;
  let expectedNews: string;

  before(async () => {
    f = await fixture(NOW);
    await setCustomerKey(f.store, 'c1', C1.api_key);
    await postEvents(f.app, [
      { event: 'processed', timestamp: at('2024-03-08T10:00:00Z'), email: 'a@x', sg_message_id: 'm1', category: 'news' },
      { event: 'open', timestamp: at('2024-03-09T10:00:00Z'), email: 'a@x', sg_message_id: 'm1', category: 'news' },
      { event: 'click', timestamp: at('2024-03-10T10:00:00Z'), email: 'a@x', sg_message_id: 'm1', url: 'https://x', category: 'news' },
      { event: 'spamreport', timestamp: at('2024-03-10T11:00:00Z'), email: 'b@x', sg_message_id: 'm2' },
    ]);
    // The expected answers, from the rollup tables read with SQL and rendered here.
    const fromRollup = (r: Record<string, unknown> | undefined, lead: Record<string, string>) => {
      const out: Record<string, string | number> = { ...lead };
      for (const k of KEYS) out[k] = Number(r?.[k === 'blocked' ? 'blocks' : k] ?? 0);
      return out;
    };
    const days = ['2024-03-08', '2024-03-09', '2024-03-10'];
    const dayNumber = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
    const daily = await f.sql(`SELECT * FROM daily_stats WHERE customer_id = ${f.customer.id}`);
    const news = await f.sql(`SELECT * FROM category_daily_stats WHERE customer_id = ${f.customer.id} AND category = 'news'`);
    expected = JSON.stringify(days.map((d) => fromRollup(daily.find((r) => Number(r.day) === dayNumber(d)), { date: d })));
    expectedNews = JSON.stringify(days.map((d) => fromRollup(news.find((r) => Number(r.day) === dayNumber(d)), { date: d, category: 'news' })));
    const address = await f.app.listen({ port: 0, host: '127.0.0.1' });
    base = address;
  });
  after(() => f.close());

  test('hubot: GET with everything in the query string', async () => {
    const res = await fetch(`${base}/api/stats.get.json?api_user=c1&api_key=key-c1-own&days=3`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), expected);
  });

  test('sendgrid_toolkit: POST with the parameters in the query string and no body', async () => {
    for (const headers of [{}, { 'content-type': 'application/x-www-form-urlencoded' }] as Array<Record<string, string>>) {
      const res = await fetch(`${base}/api/stats.get.json?api_user=c1&api_key=key-c1-own&start_date=2024-03-08&end_date=2024-03-10`, { method: 'POST', headers });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), expected);
    }
  });

  test('PHP curl with an array of fields: multipart/form-data, category[] numbered', async () => {
    const boundary = '------------------------3f2a9c1e7b5d4a60';
    const fields: Array<[string, string]> = [['api_user', 'c1'], ['api_key', 'key-c1-own'], ['days', '3'], ['category[0]', 'news']];
    const body = `${fields.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join('')}--${boundary}--\r\n`;
    const res = await fetch(`${base}/api/stats.get.json`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), expectedNews);
  });

  test('a form body (http_build_query) and category[] in the query string', async () => {
    const form = await fetch(`${base}/api/stats.get.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'api_user=c1&api_key=key-c1-own&days=3&category%5B0%5D=news',
    });
    assert.equal(await form.text(), expectedNews);
    const query = await fetch(`${base}/api/stats.get.json?api_user=c1&api_key=key-c1-own&days=3&category[]=news`);
    assert.equal(await query.text(), expectedNews);
  });
});
