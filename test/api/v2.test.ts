// v2: /apiv2/reseller.manage.{json,xml} (and reseller.manageSubuser), method=stats. Golden
// bodies, complete, in both formats, for each call shape; every metric of day one is a different
// number, so a field shown in the wrong place or from the wrong column cannot pass. Then v1's
// rules and errors, which v2 shares.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Fixture, at, basicAuth, fixture, postEvents } from '../helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z'); // today is 2024-03-10 for the UTC customer c1
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
const BASE = 'api_user=r1&api_key=key-r1-secret&method=stats&user=c1';

/** `n` events of one kind on a day, each its own message unless `message` is given. */
function many(n: number, day: string, fields: Record<string, unknown>, message?: (i: number) => string): object[] {
  const start = at(`${day}T08:00:00Z`);
  return Array.from({ length: n }, (_, i) => ({
    email: `rcpt${i}@example.com`,
    sg_message_id: message ? message(i) : `${day}.${String(fields.event)}.${String(fields.reason ?? fields.type ?? '')}.${i}`,
    timestamp: start + i,
    ...fields,
  }));
}

// Day one (2024-03-09), all under category "news":
//   requests 30 = processed 10 + dropped 20 (repeat_bounces 2, repeat_unsubscribes 3,
//   repeat_spamreports 4, invalid_email 5, spam_drop 6); delivered 9; bounces 7; blocks 8;
//   unsubscribes 12 (11 + 1 group); clicks 15 on 13 messages; opens 17 on 16 messages (one
//   of them a machine open); spamreports 1.
const D1 = '2024-03-09';
const DAY_ONE = [
  ...many(10, D1, { event: 'processed' }),
  ...many(2, D1, { event: 'dropped', reason: 'Bounced Address' }),
  ...many(3, D1, { event: 'dropped', reason: 'Unsubscribed Address' }),
  ...many(4, D1, { event: 'dropped', reason: 'Spam Reporting Address' }),
  ...many(5, D1, { event: 'dropped', reason: 'Invalid' }),
  ...many(6, D1, { event: 'dropped', reason: 'Spam Content' }),
  ...many(9, D1, { event: 'delivered' }),
  ...many(7, D1, { event: 'bounce', type: 'bounce' }),
  ...many(8, D1, { event: 'bounce', type: 'blocked' }),
  ...many(11, D1, { event: 'unsubscribe' }),
  ...many(1, D1, { event: 'group_unsubscribe' }),
  ...many(15, D1, { event: 'click', url: 'https://example.com/' }, (i) => `click.${i % 13}`),
  ...many(16, D1, { event: 'open' }, (i) => `open.${i}`),
  ...many(1, D1, { event: 'open', sg_machine_open: true, timestamp: at(`${D1}T09:00:00Z`) }, () => 'open.0'),
  ...many(1, D1, { event: 'spamreport' }),
].map((e) => ({ ...e, category: 'news' }));

// Day two (today), category "promo": one processed, delivered and opened message.
const D2 = '2024-03-10';
const DAY_TWO = [
  ...many(1, D2, { event: 'processed' }, () => 'p'),
  ...many(1, D2, { event: 'delivered' }, () => 'p'),
  ...many(1, D2, { event: 'open' }, () => 'p'),
].map((e) => ({ ...e, category: 'promo' }));

const DAILY_JSON =
  '[{"date":"2024-03-09","requests":30,"delivered":9,"bounces":7,"repeat_bounces":2,"unsubscribes":12,"repeat_unsubscribes":3,' +
  '"clicks":15,"opens":17,"spamreports":1,"repeat_spamreports":4,"invalid_email":5,"blocks":8,"unique_clicks":13,"unique_opens":16},' +
  '{"date":"2024-03-10","requests":1,"delivered":1,"bounces":0,"repeat_bounces":0,"unsubscribes":0,"repeat_unsubscribes":0,' +
  '"clicks":0,"opens":1,"spamreports":0,"repeat_spamreports":0,"invalid_email":0,"blocks":0,"unique_clicks":0,"unique_opens":1}]';

const DAILY_XML =
  `${XML_HEAD}<stats>` +
  '<day><date>2024-03-09</date><requests>30</requests><delivered>9</delivered><bounces>7</bounces><repeat_bounces>2</repeat_bounces>' +
  '<unsubscribes>12</unsubscribes><repeat_unsubscribes>3</repeat_unsubscribes><clicks>15</clicks><opens>17</opens><spamreports>1</spamreports>' +
  '<repeat_spamreports>4</repeat_spamreports><invalid_email>5</invalid_email><blocks>8</blocks><unique_clicks>13</unique_clicks><unique_opens>16</unique_opens></day>' +
  '<day><date>2024-03-10</date><requests>1</requests><delivered>1</delivered><bounces>0</bounces><repeat_bounces>0</repeat_bounces>' +
  '<unsubscribes>0</unsubscribes><repeat_unsubscribes>0</repeat_unsubscribes><clicks>0</clicks><opens>1</opens><spamreports>0</spamreports>' +
  '<repeat_spamreports>0</repeat_spamreports><invalid_email>0</invalid_email><blocks>0</blocks><unique_clicks>0</unique_clicks><unique_opens>1</unique_opens></day>' +
  '</stats>';

const AGGREGATE_JSON =
  '{"requests":31,"delivered":10,"bounces":7,"repeat_bounces":2,"unsubscribes":12,"repeat_unsubscribes":3,"clicks":15,"opens":18,' +
  '"spamreports":1,"repeat_spamreports":4,"invalid_email":5,"blocks":8,"unique_clicks":13,"unique_opens":17}';

const AGGREGATE_XML =
  `${XML_HEAD}<stats><requests>31</requests><delivered>10</delivered><bounces>7</bounces><repeat_bounces>2</repeat_bounces>` +
  '<unsubscribes>12</unsubscribes><repeat_unsubscribes>3</repeat_unsubscribes><clicks>15</clicks><opens>18</opens><spamreports>1</spamreports>' +
  '<repeat_spamreports>4</repeat_spamreports><invalid_email>5</invalid_email><blocks>8</blocks><unique_clicks>13</unique_clicks><unique_opens>17</unique_opens></stats>';

// Category rows: category first, date in the middle, the block count named `blocked`, and
// spam_drop, in SendGrid's v2 order. For each day, each requested category, zero-filled.
const CATEGORY_JSON =
  '[{"category":"news","delivered":9,"unsubscribes":12,"invalid_email":5,"bounces":7,"repeat_unsubscribes":3,"unique_clicks":13,"blocked":8,' +
  '"spam_drop":6,"repeat_bounces":2,"repeat_spamreports":4,"date":"2024-03-09","requests":30,"spamreports":1,"clicks":15,"opens":17,"unique_opens":16},' +
  '{"category":"promo","delivered":0,"unsubscribes":0,"invalid_email":0,"bounces":0,"repeat_unsubscribes":0,"unique_clicks":0,"blocked":0,' +
  '"spam_drop":0,"repeat_bounces":0,"repeat_spamreports":0,"date":"2024-03-09","requests":0,"spamreports":0,"clicks":0,"opens":0,"unique_opens":0},' +
  '{"category":"news","delivered":0,"unsubscribes":0,"invalid_email":0,"bounces":0,"repeat_unsubscribes":0,"unique_clicks":0,"blocked":0,' +
  '"spam_drop":0,"repeat_bounces":0,"repeat_spamreports":0,"date":"2024-03-10","requests":0,"spamreports":0,"clicks":0,"opens":0,"unique_opens":0},' +
  '{"category":"promo","delivered":1,"unsubscribes":0,"invalid_email":0,"bounces":0,"repeat_unsubscribes":0,"unique_clicks":0,"blocked":0,' +
  '"spam_drop":0,"repeat_bounces":0,"repeat_spamreports":0,"date":"2024-03-10","requests":1,"spamreports":0,"clicks":0,"opens":1,"unique_opens":1}]';

const xmlCategoryRow = (c: string, date: string, v: number[]): string =>
  `<day><category>${c}</category><delivered>${v[0]}</delivered><unsubscribes>${v[1]}</unsubscribes><invalid_email>${v[2]}</invalid_email>` +
  `<bounces>${v[3]}</bounces><repeat_unsubscribes>${v[4]}</repeat_unsubscribes><unique_clicks>${v[5]}</unique_clicks><blocked>${v[6]}</blocked>` +
  `<spam_drop>${v[7]}</spam_drop><repeat_bounces>${v[8]}</repeat_bounces><repeat_spamreports>${v[9]}</repeat_spamreports><date>${date}</date>` +
  `<requests>${v[10]}</requests><spamreports>${v[11]}</spamreports><clicks>${v[12]}</clicks><opens>${v[13]}</opens><unique_opens>${v[14]}</unique_opens></day>`;
const ZEROS = Array<number>(15).fill(0);
const CATEGORY_XML =
  `${XML_HEAD}<stats>` +
  xmlCategoryRow('news', D1, [9, 12, 5, 7, 3, 13, 8, 6, 2, 4, 30, 1, 15, 17, 16]) +
  xmlCategoryRow('promo', D1, ZEROS) +
  xmlCategoryRow('news', D2, ZEROS) +
  xmlCategoryRow('promo', D2, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1]) +
  '</stats>';

describe('v2 reseller.manage: golden bodies', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
    const res = await postEvents(f.app, [...DAY_ONE, ...DAY_TWO]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { accepted: DAY_ONE.length + DAY_TWO.length, duplicates: 0, rejected: [] });
  });
  after(() => f.close());

  const get = (path: string, qs: string) => f.app.inject({ method: 'GET', url: `/apiv2/${path}?${BASE}&${qs}` });
  const post = (path: string, qs: string) =>
    f.app.inject({ method: 'POST', url: `/apiv2/${path}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `${BASE}&${qs}` });

  test('daily statistics, JSON', async () => {
    const res = await get('reseller.manage.json', 'start_date=2024-03-09');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.body, DAILY_JSON);
  });

  test('daily statistics, XML, as a form POST with days=2', async () => {
    const res = await post('reseller.manage.xml', 'days=2');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/xml; charset=utf-8');
    assert.equal(res.body, DAILY_XML);
  });

  test('the reseller.manageSubuser alias answers the same, in both formats', async () => {
    assert.equal((await get('reseller.manageSubuser.json', 'days=2')).body, DAILY_JSON);
    assert.equal((await get('reseller.manageSubuser.xml', 'start_date=2024-03-09&end_date=2024-03-10')).body, DAILY_XML);
  });

  test('aggregate, JSON and XML: the daily fields without date, all time', async () => {
    assert.equal((await get('reseller.manage.json', 'aggregate=1')).body, AGGREGATE_JSON);
    assert.equal((await post('reseller.manage.xml', 'aggregate=true')).body, AGGREGATE_XML);
  });

  test('category statistics, JSON and XML (category[] and repeated category alike)', async () => {
    assert.equal((await get('reseller.manage.json', 'days=2&category[]=news&category[]=promo')).body, CATEGORY_JSON);
    assert.equal((await get('reseller.manage.xml', 'days=2&category=news&category=promo&category=never-seen')).body, CATEGORY_XML);
  });

  test('category list, JSON and XML', async () => {
    assert.equal((await get('reseller.manage.json', 'list=true')).body, '[{"category":"news"},{"category":"promo"}]');
    assert.equal((await get('reseller.manage.xml', 'list=1')).body, `${XML_HEAD}<categories><category>news</category><category>promo</category></categories>`);
  });

  test('no date parameter means today', async () => {
    const res = await get('reseller.manage.json', '');
    assert.deepEqual(res.json(), [JSON.parse(DAILY_JSON)[1]]);
  });

  test('v1 and v2 show the same numbers for the fields they share', async () => {
    const v1 = await f.app.inject({ method: 'GET', url: `/api/distributor.manage.json?${BASE}&days=2` });
    const v2 = JSON.parse(DAILY_JSON) as Array<Record<string, unknown>>;
    assert.deepEqual(
      v1.json(),
      v2.map((r) => ({ date: r.date, requests: r.requests, bounces: r.bounces, clicks: r.clicks, opens: r.opens, spamreports: r.spamreports })),
    );
  });
});

describe('v2 reseller.manage: v1 rules and errors', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(() => f.close());

  const expectError = async (url: string, status: number, message: string, method: 'GET' | 'DELETE' = 'GET') => {
    for (const format of ['json', 'xml'] as const) {
      const res = await f.app.inject({ method, url: url.replace('{f}', format) });
      assert.equal(res.statusCode, status, `${url} ${format}: ${res.body}`);
      if (format === 'json') assert.deepEqual(res.json(), { message: 'error', errors: [message] });
      else assert.equal(res.body, `${XML_HEAD}<result><message>error</message><errors><error>${message}</error></errors></result>`);
    }
  };

  test('401 for missing or wrong credentials', async () => {
    await expectError('/apiv2/reseller.manage.{f}?method=stats&user=c1', 401, 'Bad username / password');
    await expectError('/apiv2/reseller.manage.{f}?api_user=r1&api_key=wrong&method=stats&user=c1', 401, 'Bad username / password');
  });

  test("another reseller's customer looks exactly like a missing one", async () => {
    await expectError(`/apiv2/reseller.manage.{f}?${BASE.replace('user=c1', 'user=c2')}`, 400, 'error in user: user not found');
    await expectError(`/apiv2/reseller.manage.{f}?${BASE.replace('user=c1', 'user=nobody')}`, 400, 'error in user: user not found');
  });

  test('method and parameter errors, worded as in v1', async () => {
    await expectError('/apiv2/reseller.manage.{f}?api_user=r1&api_key=key-r1-secret&method=profile&user=c1', 404, 'error in method: unknown method');
    await expectError(`/apiv2/reseller.manage.{f}?${BASE}&start_date=2024-3-1`, 400, 'error in start_date: must be a date in YYYY-MM-DD format');
    await expectError(`/apiv2/reseller.manage.{f}?${BASE}&days=1096`, 400, 'error in days: must be an integer from 1 to 1095');
    await expectError(`/apiv2/reseller.manage.{f}?${BASE}&aggregate=1&list=true`, 400, 'error in list: cannot be combined with aggregate');
  });

  test('unknown paths under /apiv2/ are 404, other HTTP methods 405 with Allow', async () => {
    await expectError('/apiv2/reseller.profile.{f}', 404, 'error in path: unknown endpoint');
    await expectError('/apiv2/reseller.manage.{f}', 405, 'error in request: HTTP method must be GET or POST', 'DELETE');
    const res = await f.app.inject({ method: 'PUT', url: '/apiv2/reseller.manage.json' });
    assert.equal(res.headers.allow, 'GET, POST');
  });

  test('a JSON body is refused with 415, as in v1', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/apiv2/reseller.manage.json', headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(res.statusCode, 415);
    assert.deepEqual(res.json(), { message: 'error', errors: ['error in Content-Type: unsupported media type'] });
  });

  test('the webhook credentials of r1 do not open r2 customers either way', async () => {
    const res = await f.app.inject({
      method: 'POST',
      url: '/webhooks/events?user=c2',
      headers: { authorization: basicAuth('r1', 'key-r1-secret'), 'content-type': 'application/json' },
      payload: '[]',
    });
    assert.equal(res.statusCode, 400);
  });
});
