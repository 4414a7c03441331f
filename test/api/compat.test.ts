// Issue 11: what real senders and legacy clients do. Custom args named like SendGrid fields and
// Twilio's account events are counted (or accepted) instead of quarantined; multipart bodies on
// every legacy endpoint; aggregate=1 with categories. Expected numbers come from the rollup
// tables read with SQL, or are worked out by hand from the events. (v3 without on-behalf-of is
// in v3.test.ts, through @sendgrid/client; the replay of real clients in clientReplay.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { type Fixture, at, fixture, postEvents } from '../helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z'); // today is 2024-03-10 for the UTC customer c1
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
const CREDENTIALS: Array<[string, string]> = [
  ['api_user', 'r1'],
  ['api_key', 'key-r1-secret'],
  ['method', 'stats'],
  ['user', 'c1'],
];

type Fields = Array<[string, string]>;

/** A multipart/form-data body as libcurl builds it (PHP's curl given an array of fields). */
export function curlMultipart(fields: Fields, boundary = '------------------------a0b1c2d3e4f5a6b7'): { body: Buffer; contentType: string } {
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return { body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`), contentType: `multipart/form-data; boundary=${boundary}` };
}

const urlencoded = (fields: Fields): string => new URLSearchParams(fields).toString();

async function daily(f: Fixture, customerId: number): Promise<Array<Record<string, number>>> {
  return (await f.sql(`SELECT * FROM daily_stats WHERE customer_id = ${customerId} ORDER BY day`)) as Array<Record<string, number>>;
}

async function quarantined(f: Fixture): Promise<number> {
  return Number((await f.sql('SELECT COUNT(*) AS n FROM quarantine'))[0]?.n);
}

describe('issue 11: events that were lost or stuck', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(() => f.close());

  test('custom args named type, url, reason, status… with non-string values are counted on every event type', async () => {
    const T = at('2024-03-08T10:00:00Z');
    // What a sender's custom args look like after SendGrid flattens them into each event.
    const args = { type: 1, url: 42, reason: true, status: 500, response: ['x'], attempt: 3, tls: { on: 1 }, sg_machine_open: 'yes', 'smtp-id': 7, customer_ref: 99 };
    // Where SendGrid defines the field its own string value wins, as it does on the wire.
    const own: Record<string, Record<string, unknown>> = {
      bounce: { type: 'blocked', reason: '550 blocked' },
      dropped: { reason: 'Bounced Address' },
      click: { url: 'https://example.com/a' },
    };
    const types = ['processed', 'dropped', 'delivered', 'deferred', 'bounce', 'open', 'click', 'spamreport', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe'];
    const make = (custom: Record<string, unknown>) =>
      types.map((event, i) => ({ event, timestamp: T + i, email: 'a@example.com', sg_message_id: 'm1', category: 'news', ...custom, ...own[event] }));
    const events = make(args);

    const first = await postEvents(f.app, events);
    assert.deepEqual(first, { status: 200, body: { accepted: events.length, duplicates: 0, rejected: [] } });
    assert.equal(await quarantined(f), 0);
    const [row] = await daily(f, f.customer.id);
    // By hand: one event of each kind; the drop is a repeat bounce, the bounce a block.
    const { customer_id: _c, day, ...metrics } = row as Record<string, number>;
    assert.equal(day, Math.floor(T / 86_400));
    assert.deepEqual(metrics, {
      requests: 2, processed: 1, delivered: 1, deferred: 1, bounces: 0, blocks: 1, opens: 1, machine_opens: 0, unique_opens: 1,
      clicks: 1, unique_clicks: 1, spamreports: 1, unsubscribes: 2, repeat_bounces: 1, repeat_unsubscribes: 0, repeat_spamreports: 0,
      invalid_email: 0, spam_drop: 0,
    });
    // SendGrid re-delivers: the same events with other custom-arg values are the same events.
    const again = await postEvents(f.app, make({ ...args, type: 2, url: 43, reason: false, 'smtp-id': 8 }));
    assert.deepEqual(again.body, { accepted: 0, duplicates: events.length, rejected: [] });
  });

  test('account_status_change (Twilio\'s account events) is accepted, changes no metric, and is deduplicated', async () => {
    const before = await daily(f, f.customer.id);
    // As Twilio's Event Webhook reference shows it: no email, no sg_message_id, no category.
    const account = { event: 'account_status_change', sg_event_id: 'MjEzNTg5OTcyOC10ZXJtaW5hdGUtMTcwNzg1MTUzMQ', timestamp: 1709142428, type: 'compliance_suspend' };
    const reactivated = { ...account, sg_event_id: 'other', type: 'compliance_reactivate' };
    assert.deepEqual((await postEvents(f.app, [account, reactivated])).body, { accepted: 2, duplicates: 0, rejected: [] });
    assert.deepEqual(await daily(f, f.customer.id), before);
    assert.equal(await quarantined(f), 0);
    assert.deepEqual((await postEvents(f.app, [{ ...account, sg_event_id: 'retried' }])).body, { accepted: 0, duplicates: 1, rejected: [] });
  });

  test('a bounce whose own type is not a string is still rejected and quarantined (control)', async () => {
    const res = await postEvents(f.app, [{ event: 'bounce', timestamp: at('2024-03-08T11:00:00Z'), email: 'b@example.com', type: 1 }]);
    assert.deepEqual(res.body, { accepted: 0, duplicates: 0, rejected: [{ index: 0, error: 'type: must be a string' }] });
    assert.equal(await quarantined(f), 1);
  });
});

describe('issue 11: legacy clients', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
    const ev = (event: string, iso: string, message: string, category: string | string[], extra: Record<string, unknown> = {}) => ({
      event, timestamp: at(iso), email: `${message}@example.com`, sg_message_id: message, category, ...extra,
    });
    const res = await postEvents(f.app, [
      ev('processed', '2024-03-01T10:00:00Z', 'm1', ['news', 'promo']),
      ev('delivered', '2024-03-01T10:01:00Z', 'm1', ['news', 'promo']),
      ev('open', '2024-03-02T10:00:00Z', 'm1', 'news'),
      ev('open', '2024-03-02T11:00:00Z', 'm1', 'news'),
      ev('processed', '2024-03-09T10:00:00Z', 'm2', 'promo'),
      ev('dropped', '2024-03-10T10:00:00Z', 'm3', 'Ünïcode & <co>', { reason: 'Invalid' }),
      ev('bounce', '2024-03-10T10:00:00Z', 'm4', 'news', { type: 'blocked' }),
      ev('group_resubscribe', '2024-03-10T10:00:00Z', 'm5', 'idle'),
    ]);
    assert.equal(res.body.accepted, 8);
  });
  after(() => f.close());

  /** category → all-time sums of every stored metric, straight from the rollups. */
  async function categoryTotals(): Promise<Map<string, Record<string, number>>> {
    const rows = (await f.sql(`SELECT * FROM category_daily_stats WHERE customer_id = ${f.customer.id}`)) as Array<Record<string, number | string>>;
    const out = new Map<string, Record<string, number>>();
    for (const { category, customer_id: _c, day: _d, ...metrics } of rows) {
      const acc = out.get(String(category)) ?? {};
      for (const [m, n] of Object.entries(metrics)) acc[m] = (acc[m] ?? 0) + Number(n);
      out.set(String(category), acc);
    }
    return out;
  }

  const post = (path: string, payload: string | Buffer, contentType: string) => f.app.inject({ method: 'POST', url: path, headers: { 'content-type': contentType }, payload });
  const get = (path: string, fields: Fields) => f.app.inject({ method: 'GET', url: `${path}?${urlencoded(fields)}` });

  describe('aggregate=1 with category (item 5)', () => {
    test('v1 JSON: one all-time row per requested category that exists, in request order, category first', async () => {
      const totals = await categoryTotals();
      const res = await get('/api/distributor.manage.json', [...CREDENTIALS, ['aggregate', '1'], ['category', 'promo'], ['category', 'never'], ['category', 'news'], ['category', 'idle'], ['category', 'promo']]);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as Array<Record<string, unknown>>;
      const v1 = (c: string) => ({ category: c, requests: totals.get(c)?.requests ?? 0, bounces: totals.get(c)?.bounces ?? 0, clicks: totals.get(c)?.clicks ?? 0, opens: totals.get(c)?.opens ?? 0, spamreports: totals.get(c)?.spamreports ?? 0 });
      assert.deepEqual(body, [v1('promo'), v1('news'), v1('idle')]);
      for (const row of body) assert.deepEqual(Object.keys(row), ['category', 'requests', 'bounces', 'clicks', 'opens', 'spamreports']);
      // By hand: promo has m1 and m2 processed; news m1 processed and opened twice; idle only a
      // group_resubscribe (a category the customer has, all zeros).
      assert.deepEqual([body[0]?.requests, body[1]?.requests, body[1]?.opens, body[2]?.requests], [2, 1, 2, 0]);
    });

    test('v1 XML: the same rows under <stats>, each a <category_stats>', async () => {
      const res = await get('/api/distributor.manage.xml', [...CREDENTIALS, ['aggregate', 'true'], ['category[]', 'Ünïcode & <co>'], ['category[]', 'promo']]);
      assert.equal(res.statusCode, 200);
      assert.equal(
        res.body,
        `${XML_HEAD}<stats>` +
          '<category_stats><category>Ünïcode &amp; &lt;co&gt;</category><requests>1</requests><bounces>0</bounces><clicks>0</clicks><opens>0</opens><spamreports>0</spamreports></category_stats>' +
          '<category_stats><category>promo</category><requests>2</requests><bounces>0</bounces><clicks>0</clicks><opens>0</opens><spamreports>0</spamreports></category_stats>' +
          '</stats>',
      );
    });

    test('v2: the v2 category row without date, in both formats', async () => {
      const totals = await categoryTotals();
      const res = await get('/apiv2/reseller.manage.json', [...CREDENTIALS, ['aggregate', '1'], ['category', 'news']]);
      const news = totals.get('news') as Record<string, number>;
      const expected = {
        category: 'news', delivered: news.delivered, unsubscribes: news.unsubscribes, invalid_email: news.invalid_email, bounces: news.bounces,
        repeat_unsubscribes: news.repeat_unsubscribes, unique_clicks: news.unique_clicks, blocked: news.blocks, spam_drop: news.spam_drop,
        repeat_bounces: news.repeat_bounces, repeat_spamreports: news.repeat_spamreports, requests: news.requests, spamreports: news.spamreports,
        clicks: news.clicks, opens: news.opens, unique_opens: news.unique_opens,
      };
      assert.equal(res.body, JSON.stringify([expected]));
      assert.deepEqual([expected.delivered, expected.blocked, expected.unique_opens], [1, 1, 1]);
      const xml = await get('/apiv2/reseller.manage.xml', [...CREDENTIALS, ['aggregate', '1'], ['category', 'news']]);
      assert.ok(xml.body.startsWith(`${XML_HEAD}<stats><category_stats><category>news</category><delivered>1</delivered>`), xml.body);
      assert.ok(!xml.body.includes('<date>'));
    });

    test('only unknown categories: [] and <stats/>; dates are still refused', async () => {
      assert.equal((await get('/api/distributor.manage.json', [...CREDENTIALS, ['aggregate', '1'], ['category', 'never']])).body, '[]');
      assert.equal((await get('/api/distributor.manage.xml', [...CREDENTIALS, ['aggregate', '1'], ['category', 'never']])).body, `${XML_HEAD}<stats/>`);
      const dated = await get('/api/distributor.manage.json', [...CREDENTIALS, ['aggregate', '1'], ['category', 'news'], ['days', '3']]);
      assert.equal(dated.statusCode, 400);
      assert.deepEqual(dated.json(), { message: 'error', errors: ['error in days: is not allowed with aggregate'] });
    });
  });

  describe('multipart/form-data bodies (item 4)', () => {
    const SHAPES: Array<[string, Fields]> = [
      ['daily', [['days', '10']]],
      ['dates', [['start_date', '2024-03-01'], ['end_date', '2024-03-02']]],
      ['aggregate', [['aggregate', '1']]],
      ['list', [['list', 'true']]],
      ['category[]', [['category[]', 'news'], ['start_date', '2024-03-01']]],
      ['category[0], category[1]', [['category[0]', 'promo'], ['category[1]', 'news'], ['days', '10']]],
      ['aggregate + categories', [['aggregate', '1'], ['category', 'news'], ['category', 'promo']]],
      ['a parameter error', [['days', '0']]],
      ['bad credentials', [['api_key', 'wrong']]],
    ];
    const PATHS = ['/api/distributor.manage.json', '/api/distributor.manage.xml', '/api/distributor.manageSubuser.json', '/apiv2/reseller.manage.json', '/apiv2/reseller.manage.xml', '/apiv2/reseller.manageSubuser.xml'];

    test('every legacy endpoint answers a multipart body exactly as the same urlencoded body', async () => {
      for (const path of PATHS) {
        for (const [label, extra] of SHAPES) {
          const fields: Fields = extra.some(([k]) => k === 'api_key') ? [...CREDENTIALS.filter(([k]) => k !== 'api_key'), ...extra] : [...CREDENTIALS, ...extra];
          const { body, contentType } = curlMultipart(fields);
          const viaMultipart = await post(path, body, contentType);
          const viaForm = await post(path, urlencoded(fields), 'application/x-www-form-urlencoded');
          assert.equal(viaMultipart.statusCode, viaForm.statusCode, `${path} ${label}: ${viaMultipart.body}`);
          assert.equal(viaMultipart.headers['content-type'], viaForm.headers['content-type'], `${path} ${label}`);
          assert.equal(viaMultipart.body, viaForm.body, `${path} ${label}`);
          if (!label.includes('error') && label !== 'bad credentials') assert.equal(viaMultipart.statusCode, 200, `${path} ${label}: ${viaMultipart.body}`);
        }
      }
    });

    test('parameters split between the query string and a multipart body are merged', async () => {
      const { body, contentType } = curlMultipart([['method', 'stats'], ['user', 'c1'], ['aggregate', '1']]);
      const res = await f.app.inject({ method: 'POST', url: '/api/distributor.manage.json?api_user=r1&api_key=key-r1-secret', headers: { 'content-type': contentType }, payload: body });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(Object.keys(res.json()), ['requests', 'bounces', 'clicks', 'opens', 'spamreports']);
    });

    function assertRefused(res: LightMyRequestResponse, status: number, message: string, format: 'json' | 'xml'): void {
      assert.equal(res.statusCode, status, res.body);
      if (format === 'json') assert.deepEqual(res.json(), { message: 'error', errors: [message] });
      else assert.equal(res.body, `${XML_HEAD}<result><message>error</message><errors><error>${message}</error></errors></result>`);
    }

    test('bounded like the rest: files, too many fields, a long field, a big body, a broken body', async () => {
      for (const [path, format] of [['/api/distributor.manage.json', 'json'], ['/apiv2/reseller.manage.xml', 'xml']] as const) {
        const boundary = 'XyZ';
        const withFile = Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="api_user"\r\n\r\nr1\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="stats.csv"\r\nContent-Type: text/csv\r\n\r\na,b\r\n--${boundary}--\r\n`,
        );
        assertRefused(await post(path, withFile, `multipart/form-data; boundary=${boundary}`), 400, 'error in body: file uploads are not accepted; send parameters as plain fields', format);

        const many = curlMultipart([...CREDENTIALS, ...Array.from({ length: 1000 }, (_, i): [string, string] => [`x${i}`, 'y'])]);
        assertRefused(await post(path, many.body, many.contentType), 413, 'error in body: at most 1000 fields', format);

        const long = curlMultipart([...CREDENTIALS, ['category', 'x'.repeat(64 * 1024 + 1)]]);
        assertRefused(await post(path, long.body, long.contentType), 413, 'error in body: a field is longer than 65536 bytes', format);

        const big = curlMultipart([...CREDENTIALS, ...Array.from({ length: 20 }, (_, i): [string, string] => [`pad${i}`, 'p'.repeat(60_000)])]);
        assertRefused(await post(path, big.body, big.contentType), 413, 'error in body: request body is too large', format);

        const ok = curlMultipart(CREDENTIALS);
        assertRefused(await post(path, ok.body.subarray(0, ok.body.length - 10), ok.contentType), 400, 'error in body: is not valid multipart/form-data', format);
        assertRefused(await post(path, ok.body, 'multipart/form-data'), 400, 'error in Content-Type: multipart/form-data needs a boundary parameter', format);
      }
    });

    test('an empty multipart body is a form without fields (then: bad credentials, as for an empty form)', async () => {
      const res = await post('/api/distributor.manage.json', Buffer.alloc(0), 'multipart/form-data; boundary=abc');
      assertRefused(res, 401, 'Bad username / password', 'json');
    });
  });
});
