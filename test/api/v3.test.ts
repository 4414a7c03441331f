// v3 through SendGrid's own Node client (@sendgrid/client) against the real server on a free
// port. Every answer is checked against the rollup tables read directly with SQL, bucketed and
// mapped here independently of the server's code, plus a few numbers worked out by hand from
// the events. Customers sit in Berlin and New York, the events straddle New Year, so days,
// weeks and months are the customers' local ones.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import client from '@sendgrid/client';
import { type Fixture, addReseller, at, basicAuth, fixture, postEvents } from '../helpers.js';

const NOW = new Date('2024-01-05T12:00:00Z'); // today is 2024-01-05 in Berlin and New York
const KEY = 'SG.acme-test.0123456789abcdefghijklmnopqrstuvwxyz';

// --- The oracle: rollup rows → v3 answers, written without the server's code ----------------

type Row = Record<string, number>;
const STORED = ['requests', 'processed', 'delivered', 'deferred', 'bounces', 'blocks', 'opens', 'machine_opens', 'unique_opens', 'clicks', 'unique_clicks', 'spamreports', 'unsubscribes', 'repeat_bounces', 'repeat_unsubscribes', 'repeat_spamreports', 'invalid_email', 'spam_drop'];
const V3_FROM_STORED: Record<string, string> = {
  blocks: 'blocks',
  bounce_drops: 'repeat_bounces',
  bounces: 'bounces',
  clicks: 'clicks',
  deferred: 'deferred',
  delivered: 'delivered',
  invalid_emails: 'invalid_email',
  opens: 'opens',
  processed: 'processed',
  requests: 'requests',
  spam_report_drops: 'repeat_spamreports',
  spam_reports: 'spamreports',
  unique_clicks: 'unique_clicks',
  unique_opens: 'unique_opens',
  unsubscribe_drops: 'repeat_unsubscribes',
  unsubscribes: 'unsubscribes',
};

const isoOfDay = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);
const zero = (): Row => Object.fromEntries(STORED.map((m) => [m, 0]));

function v3(sum: Row, excludeMachineOpens = false): Row {
  const out = Object.fromEntries(Object.entries(V3_FROM_STORED).map(([k, m]) => [k, sum[m] as number]));
  if (excludeMachineOpens) {
    out.opens = (sum.opens as number) - (sum.machine_opens as number);
    out.unique_opens = Math.min(sum.unique_opens as number, out.opens);
  }
  return out;
}

/** The date of the bucket holding `date`: its Monday or 1st, but never before `start`. */
function bucketDate(date: string, by: string, start: string): string {
  const t = new Date(`${date}T00:00:00Z`);
  const first =
    by === 'week' ? new Date(t.getTime() - ((t.getUTCDay() + 6) % 7) * 86_400_000) : by === 'month' ? new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1)) : t;
  const iso = first.toISOString().slice(0, 10);
  return iso < start ? start : iso;
}

/** bucket date → summed stored row, over every day from start to end (zero-filled). */
function bucketSums(rows: Row[], start: string, end: string, by: string): Map<string, Row> {
  const out = new Map<string, Row>();
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    const key = bucketDate(date, by, start);
    if (!out.has(key)) out.set(key, zero());
    const acc = out.get(key) as Row;
    for (const r of rows.filter((x) => isoOfDay(x.day as number) === date)) for (const m of STORED) acc[m] = (acc[m] as number) + (r[m] as number);
  }
  return out;
}

/** The stored metrics summed over every day from start to end. */
function total(rows: Row[], start: string, end: string): Row {
  const acc = zero();
  for (const day of bucketSums(rows, start, end, 'day').values()) for (const m of STORED) acc[m] = (acc[m] as number) + (day[m] as number);
  return acc;
}

// --- The data -----------------------------------------------------------------------------

const ev = (event: string, iso: string, message: string, extra: Record<string, unknown> = {}) => ({
  event,
  timestamp: at(iso),
  email: `${message}@example.com`,
  sg_message_id: message,
  ...extra,
});

// Berlin is UTC+1 in winter: 2023-12-31T23:30Z is already 2024-01-01 there, 22:30Z is not.
const BERLIN_EVENTS = [
  ...['b1', 'b2', 'b3'].flatMap((m) => [ev('processed', '2023-12-29T10:00:00Z', m, { category: 'news' }), ev('delivered', '2023-12-29T10:01:00Z', m, { category: 'news' })]),
  ev('processed', '2023-12-31T22:30:00Z', 'b6', { category: 'promo' }),
  ev('processed', '2023-12-31T23:30:00Z', 'b4', { category: ['news', 'promo'] }),
  ev('processed', '2023-12-31T23:30:00Z', 'b5', { category: ['news', 'promo'] }),
  ev('delivered', '2023-12-31T23:31:00Z', 'b4', { category: ['news', 'promo'] }),
  ev('open', '2023-12-31T23:32:00Z', 'b4', { category: 'news', sg_machine_open: true }),
  ev('open', '2023-12-31T23:40:00Z', 'b4', { category: 'news' }),
  ev('open', '2023-12-31T23:45:00Z', 'b5', { category: 'promo' }),
  ev('click', '2023-12-31T23:50:00Z', 'b4', { category: 'news', url: 'https://example.com/a' }),
  ev('dropped', '2024-01-02T12:00:00Z', 'b7', { reason: 'Bounced Address', category: 'Ünïcode, comma' }),
  ev('dropped', '2024-01-02T12:00:00Z', 'b8', { reason: 'Invalid', category: 'Ünïcode, comma' }),
  ev('dropped', '2024-01-02T12:00:00Z', 'b9', { reason: 'Spam Reporting Address' }),
  ev('dropped', '2024-01-02T12:00:00Z', 'b10', { reason: 'Unsubscribed Address' }),
  ev('bounce', '2024-01-02T12:00:00Z', 'b11', { type: 'blocked', category: 'news' }),
  ev('bounce', '2024-01-02T12:00:00Z', 'b12', { type: 'bounce', category: 'news' }),
  ev('deferred', '2024-01-02T12:00:00Z', 'b13'),
  ev('spamreport', '2024-01-02T12:00:00Z', 'b1', { category: 'news' }),
  ev('unsubscribe', '2024-01-02T12:00:00Z', 'b2', { category: 'news' }),
  ev('processed', '2024-01-04T08:00:00Z', 'b14'),
  ev('open', '2024-01-04T08:05:00Z', 'b1', { sg_machine_open: true, category: 'news' }),
];

// New York is UTC−5: 2024-01-01T03:00Z is still New Year's Eve there.
const NEW_YORK_EVENTS = [
  ev('processed', '2023-12-20T12:00:00Z', 'n5'),
  ...['n1', 'n2', 'n3', 'n4'].map((m) => ev('processed', '2024-01-01T03:00:00Z', m)),
  ev('delivered', '2024-01-01T03:01:00Z', 'n1'),
  ev('delivered', '2024-01-01T03:01:00Z', 'n2'),
  ev('open', '2024-01-03T15:00:00Z', 'n1', { sg_machine_open: true }),
  ev('open', '2024-01-03T15:00:00Z', 'n2', { sg_machine_open: true }),
  ev('click', '2024-01-03T15:05:00Z', 'n1', { url: 'https://example.com/b' }),
];

// --- The tests ----------------------------------------------------------------------------

interface SgError {
  code: number;
  response: { body: unknown; headers: Record<string, string> };
}

describe('v3 statistics through @sendgrid/client', () => {
  let f: Fixture;
  let ids: Record<string, number>;
  const rows = async (table: string, customer: string, extra = ''): Promise<Row[]> =>
    (await f.sql(`SELECT * FROM ${table} WHERE customer_id = ${ids[customer]}${extra}`)) as Row[];

  /** GET through the client; returns the parsed body. */
  async function get(url: string, qs: object, headers: Record<string, string> = {}): Promise<unknown> {
    const [response, body] = await client.request({ method: 'GET', url, qs, headers });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    return body;
  }

  /** The client's rejection for a call that must fail. */
  async function failure(url: string, qs: object, headers: Record<string, string> = {}): Promise<SgError> {
    try {
      await client.request({ method: 'GET', url, qs, headers });
    } catch (err) {
      return err as SgError;
    }
    assert.fail(`${url} succeeded`);
  }

  before(async () => {
    f = await fixture(NOW);
    const acme = await addReseller(f.store, 'acme', KEY);
    ids = { c1: f.customer.id };
    for (const [name, zone] of [
      ['berlin', 'Europe/Berlin'],
      ['newyork', 'America/New_York'],
      ['idle', 'UTC'],
    ] as const) {
      ids[name] = (await f.store.addCustomer(name, acme, zone)).id;
    }
    // Events through the webhook; acme's Basic authentication also stores its key lookup
    // digest (test/api/v3Keys.test.ts covers that path on its own).
    for (const [user, events] of [
      ['berlin', BERLIN_EVENTS],
      ['newyork', NEW_YORK_EVENTS],
    ] as const) {
      const res = await f.app.inject({
        method: 'POST',
        url: `/webhooks/events?user=${user}`,
        headers: { authorization: basicAuth('acme', KEY), 'content-type': 'application/json' },
        payload: JSON.stringify(events),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().accepted, events.length);
    }
    // Another reseller's customer with traffic in the same days: it must never show up.
    assert.equal((await postEvents(f.app, [ev('processed', '2024-01-02T10:00:00Z', 'x1'), ev('delivered', '2024-01-02T10:00:00Z', 'x1')])).status, 200);

    const url = await f.app.listen({ port: 0, host: '127.0.0.1' });
    client.setApiKey(KEY); // first: setApiKey resets the base URL to SendGrid's
    client.setDefaultRequest('baseUrl', url);
  });
  after(() => f.close());

  test('/v3/stats by day, week and month across New Year matches the rollups', async () => {
    const daily = await rows('daily_stats', 'berlin');
    for (const by of ['day', 'week', 'month']) {
      const body = await get('/v3/stats', { start_date: '2023-12-27', end_date: '2024-01-05', aggregated_by: by }, { 'on-behalf-of': 'berlin' });
      const expected = [...bucketSums(daily, '2023-12-27', '2024-01-05', by)].map(([date, sum]) => ({ date, stats: [{ metrics: v3(sum) }] }));
      assert.deepEqual(body, expected, by);
    }
  });

  test('the same answers, worked out by hand from the events', async () => {
    const month = (await get('/v3/stats', { start_date: '2023-12-27', aggregated_by: 'month' }, { 'on-behalf-of': 'berlin' })) as Array<{ date: string; stats: Array<{ metrics: Row }> }>;
    assert.deepEqual(
      month.map((b) => b.date),
      ['2023-12-27', '2024-01-01'],
    );
    const [dec, jan] = month.map((b) => b.stats[0]?.metrics as Row) as [Row, Row];
    // December: b1–b3 on the 29th, b6 at 23:30 Berlin time on the 31st.
    assert.deepEqual([dec.requests, dec.processed, dec.delivered, dec.opens], [4, 4, 3, 0]);
    // January: b4, b5 (00:30 on the 1st), four drops (the 2nd), b14 (the 4th).
    assert.deepEqual([jan.requests, jan.processed, jan.delivered, jan.deferred], [7, 3, 1, 1]);
    assert.deepEqual([jan.opens, jan.unique_opens, jan.clicks, jan.unique_clicks], [4, 3, 1, 1]);
    assert.deepEqual(
      [jan.bounce_drops, jan.invalid_emails, jan.spam_report_drops, jan.unsubscribe_drops, jan.blocks, jan.bounces, jan.spam_reports, jan.unsubscribes],
      [1, 1, 1, 1, 1, 1, 1, 1],
    );
  });

  test('end_date defaults to today in the customer\'s time zone; every day is there, zero-filled', async () => {
    const body = (await get('/v3/stats', { start_date: '2024-01-01' }, { 'on-behalf-of': 'berlin' })) as Array<{ date: string }>;
    assert.deepEqual(
      body.map((b) => b.date),
      ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'],
    );
  });

  test('exclude_machine_opens=true: opens without machine opens, unique_opens capped to them', async () => {
    const daily = await rows('daily_stats', 'berlin');
    const body = await get('/v3/stats', { start_date: '2023-12-27', aggregated_by: 'month', exclude_machine_opens: true }, { 'on-behalf-of': 'berlin' });
    const expected = [...bucketSums(daily, '2023-12-27', '2024-01-05', 'month')].map(([date, sum]) => ({ date, stats: [{ metrics: v3(sum, true) }] }));
    assert.deepEqual(body, expected);
    const jan = (body as Array<{ stats: Array<{ metrics: Row }> }>)[1]?.stats[0]?.metrics as Row;
    assert.deepEqual([jan.opens, jan.unique_opens], [2, 2]); // 4 opens, 2 by machines; 3 unique → at most 2
  });

  test('/v3/subusers/stats (the client sends subusers[]): one entry per subuser, in the order asked', async () => {
    const names = ['newyork', 'berlin', 'idle'];
    const body = await get('/v3/subusers/stats', { subusers: names, start_date: '2023-12-18', end_date: '2024-01-05', aggregated_by: 'month' });
    const sums = await Promise.all(names.map(async (n) => bucketSums(await rows('daily_stats', n), '2023-12-18', '2024-01-05', 'month')));
    const dates = [...(sums[0] as Map<string, Row>).keys()];
    assert.deepEqual(dates, ['2023-12-18', '2024-01-01']);
    const expected = dates.map((date) => ({ date, stats: names.map((name, i) => ({ type: 'subuser', name, metrics: v3(sums[i]?.get(date) as Row) })) }));
    assert.deepEqual(body, expected);
    // New York's New Year's Eve (03:00 UTC on the 1st) stays in December there.
    const dec = (body as Array<{ stats: Array<{ metrics: Row }> }>)[0]?.stats[0]?.metrics as Row;
    assert.deepEqual([dec.requests, dec.delivered], [5, 2]);
  });

  test('repeated keys (subusers=a&subusers=b) work as well as subusers[]', async () => {
    const base = String((client as unknown as { defaultRequest: { baseUrl: string } }).defaultRequest.baseUrl);
    const res = await fetch(`${base}/v3/subusers/stats?subusers=berlin&subusers=newyork&start_date=2024-01-01&aggregated_by=week`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    assert.equal(res.status, 200);
    const viaClient = await get('/v3/subusers/stats', { subusers: ['berlin', 'newyork'], start_date: '2024-01-01', aggregated_by: 'week' });
    assert.deepEqual(await res.json(), viaClient);
  });

  test('/v3/subusers/stats/sums: every subuser of this reseller, sorted and paged', async () => {
    const totals = Object.fromEntries(await Promise.all(['berlin', 'newyork', 'idle'].map(async (n) => [n, v3(total(await rows('daily_stats', n), '2023-12-25', '2024-01-05'))] as const)));
    const entry = (name: string) => ({ type: 'subuser', name, metrics: totals[name] });

    // Default: delivered, descending; ties by name.
    const byDelivered = await get('/v3/subusers/stats/sums', { start_date: '2023-12-25' });
    assert.deepEqual(byDelivered, { date: '2023-12-25', stats: [entry('berlin'), entry('newyork'), entry('idle')] });
    assert.deepEqual([totals.berlin?.delivered, totals.newyork?.delivered, totals.idle?.delivered], [4, 2, 0]);

    const asc = await get('/v3/subusers/stats/sums', { start_date: '2023-12-25', sort_by_metric: 'clicks', sort_by_direction: 'asc', limit: 2, offset: 1 });
    // clicks: idle 0, berlin 1, newyork 1 → berlin and newyork tie, broken by name.
    assert.deepEqual(asc, { date: '2023-12-25', stats: [entry('berlin'), entry('newyork')] });
  });

  test('/v3/categories/stats: requested categories the customer has, by week', async () => {
    const names = ['news', 'Ünïcode, comma', 'never-used'];
    const body = await get('/v3/categories/stats', { categories: names, start_date: '2023-12-27', aggregated_by: 'week' }, { 'on-behalf-of': 'berlin' });
    const perCategory = await Promise.all(
      names.slice(0, 2).map(async (c) => bucketSums(await rows('category_daily_stats', 'berlin', ` AND category = '${c}'`), '2023-12-27', '2024-01-05', 'week')),
    );
    const dates = [...(perCategory[0] as Map<string, Row>).keys()];
    assert.deepEqual(dates, ['2023-12-27', '2024-01-01']);
    const expected = dates.map((date) => ({
      date,
      stats: names.slice(0, 2).map((name, i) => ({ type: 'category', name, metrics: v3(perCategory[i]?.get(date) as Row) })),
    }));
    assert.deepEqual(body, expected);
  });

  test('/v3/categories/stats/sums: every category of the customer, sorted', async () => {
    const all = ['Ünïcode, comma', 'news', 'promo'];
    const totals = Object.fromEntries(
      await Promise.all(all.map(async (c) => [c, v3(total(await rows('category_daily_stats', 'berlin', ` AND category = '${c}'`), '2024-01-01', '2024-01-05'))] as const)),
    );
    const body = (await get('/v3/categories/stats/sums', { start_date: '2024-01-01', sort_by_metric: 'requests', limit: 10 }, { 'on-behalf-of': 'berlin' })) as {
      date: string;
      stats: Array<{ name: string; metrics: Row }>;
    };
    // requests from the 1st: news 2 (b4, b5), promo 2 (b4, b5), Ünïcode 2 (b7, b8): all tied.
    assert.deepEqual(body, { date: '2024-01-01', stats: ['news', 'promo', 'Ünïcode, comma'].map((name) => ({ type: 'category', name, metrics: totals[name] })) });
    assert.deepEqual(
      body.stats.map((s) => s.metrics.requests),
      [2, 2, 2],
    );
  });

  test('401 for a wrong key, in SendGrid\'s words', async () => {
    const err = await failure('/v3/stats', { start_date: '2024-01-01' }, { Authorization: 'Bearer SG.not-a-key', 'on-behalf-of': 'berlin' });
    assert.equal(err.code, 401);
    assert.deepEqual(err.response.body, { errors: [{ field: null, message: 'Permission denied, wrong credentials' }] });
  });

  test("another reseller's customer is answered exactly like one that does not exist", async () => {
    for (const url of ['/v3/stats', '/v3/categories/stats/sums']) {
      const foreign = await failure(url, { start_date: '2024-01-01' }, { 'on-behalf-of': 'c1' });
      const missing = await failure(url, { start_date: '2024-01-01' }, { 'on-behalf-of': 'nobody' });
      assert.equal(foreign.code, 400);
      assert.deepEqual(foreign.response.body, { errors: [{ field: 'on-behalf-of', message: 'subuser not found' }] });
      assert.deepEqual(foreign.response.body, missing.response.body);
    }
    const foreign = await failure('/v3/subusers/stats', { subusers: ['berlin', 'c1'], start_date: '2024-01-01' });
    const missing = await failure('/v3/subusers/stats', { subusers: ['berlin', 'c9'], start_date: '2024-01-01' });
    assert.deepEqual(foreign.response.body, { errors: [{ field: 'subusers', message: 'subuser not found: c1' }] });
    assert.deepEqual(JSON.stringify(missing.response.body).replace('c9', 'c1'), JSON.stringify(foreign.response.body));
    // And its traffic is in no sum.
    const sums = (await get('/v3/subusers/stats/sums', { start_date: '2023-12-01', limit: 500 })) as { stats: Array<{ name: string }> };
    assert.deepEqual(sums.stats.map((s) => s.name).sort(), ['berlin', 'idle', 'newyork']);
  });

  test('400s list every problem as {field, message}', async () => {
    const cases: Array<[string, object, Record<string, string>, Array<{ field: string | null; message: string }>]> = [
      ['/v3/stats', {}, { 'on-behalf-of': 'berlin' }, [{ field: 'start_date', message: 'is required' }]],
      ['/v3/categories/stats/sums', { start_date: '2024-01-01' }, {}, [{ field: 'on-behalf-of', message: "is required (the subuser's username)" }]],
      [
        '/v3/stats',
        { start_date: '2024-02-30', aggregated_by: 'year' },
        { 'on-behalf-of': 'berlin' },
        [
          { field: 'aggregated_by', message: 'must be day, week or month' },
          { field: 'start_date', message: 'must be a date in YYYY-MM-DD format' },
        ],
      ],
      ['/v3/stats', { start_date: '2024-01-01', end_date: '2024-01-06' }, { 'on-behalf-of': 'berlin' }, [{ field: 'end_date', message: 'must not be after today (2024-01-05)' }]],
      ['/v3/subusers/stats', { start_date: '2024-01-01' }, {}, [{ field: 'subusers', message: 'is required' }]],
      ['/v3/subusers/stats', { start_date: '2024-01-01', subusers: Array.from({ length: 11 }, (_, i) => `s${i}`) }, {}, [{ field: 'subusers', message: 'at most 10 per request' }]],
      [
        '/v3/categories/stats',
        { end_date: '2024-01-01' },
        { 'on-behalf-of': 'berlin' },
        [
          { field: 'categories', message: 'is required' },
          { field: 'start_date', message: 'is required' },
        ],
      ],
      [
        '/v3/subusers/stats/sums',
        { start_date: '2024-01-01', sort_by_metric: 'drops', sort_by_direction: 'up', limit: 501, offset: 'x' },
        {},
        [
          { field: 'sort_by_metric', message: 'must be one of blocks, bounce_drops, bounces, clicks, deferred, delivered, invalid_emails, opens, processed, requests, spam_report_drops, spam_reports, unique_clicks, unique_opens, unsubscribe_drops, unsubscribes' },
          { field: 'sort_by_direction', message: 'must be asc or desc' },
          { field: 'limit', message: 'must be an integer from 1 to 500' },
          { field: 'offset', message: 'must be an integer from 0 to 1000000' },
        ],
      ],
    ];
    for (const [url, qs, headers, errors] of cases) {
      const err = await failure(url, qs, headers);
      assert.equal(err.code, 400, `${url} ${JSON.stringify(qs)}`);
      assert.deepEqual(err.response.body, { errors }, `${url} ${JSON.stringify(qs)}`);
    }
  });

  test('unknown paths under /v3 are 404 and other methods 405, in the v3 envelope', async () => {
    const notFound = await failure('/v3/mail_settings', {});
    assert.equal(notFound.code, 404);
    assert.deepEqual(notFound.response.body, { errors: [{ field: null, message: 'unknown endpoint' }] });
    try {
      await client.request({ method: 'POST', url: '/v3/stats', body: {} });
      assert.fail('POST succeeded');
    } catch (err) {
      const e = err as SgError;
      assert.equal(e.code, 405);
      assert.equal(e.response.headers.allow, 'GET');
      assert.deepEqual(e.response.body, { errors: [{ field: null, message: 'HTTP method must be GET' }] });
    }
  });

  // Issue 11 item 6: SendGrid's own examples call these two without on-behalf-of and read the
  // parent account's totals. These tests run last: they add a customer and events.
  test('/v3/stats without on-behalf-of: the sum over every customer of the reseller, by day, week and month', async () => {
    const all = [...(await rows('daily_stats', 'berlin')), ...(await rows('daily_stats', 'newyork')), ...(await rows('daily_stats', 'idle'))];
    for (const by of ['day', 'week', 'month']) {
      const body = await get('/v3/stats', { start_date: '2023-12-18', end_date: '2024-01-05', aggregated_by: by });
      const expected = [...bucketSums(all, '2023-12-18', '2024-01-05', by)].map(([date, sum]) => ({ date, stats: [{ metrics: v3(sum) }] }));
      assert.deepEqual(body, expected, by);
    }
    // By hand: December has Berlin's b1–b3 and b6 and New York's n1–n5 (its New Year's Eve);
    // January Berlin's seven. c1 (another reseller's) has two events on the 2nd: not here.
    const month = (await get('/v3/stats', { start_date: '2023-12-18', aggregated_by: 'month' })) as Array<{ date: string; stats: Array<{ metrics: Row }> }>;
    assert.deepEqual(
      month.map((b) => [b.date, b.stats[0]?.metrics.requests, b.stats[0]?.metrics.delivered]),
      [
        ['2023-12-18', 9, 5],
        ['2024-01-01', 7, 1],
      ],
    );
    // The reseller's day is UTC: end_date defaults to, and may not pass, today in UTC.
    const days = (await get('/v3/stats', { start_date: '2024-01-03' })) as Array<{ date: string }>;
    assert.deepEqual(days.map((d) => d.date), ['2024-01-03', '2024-01-04', '2024-01-05']);
    const late = await failure('/v3/stats', { start_date: '2024-01-03', end_date: '2024-01-06' });
    assert.deepEqual(late.response.body, { errors: [{ field: 'end_date', message: 'must not be after today (2024-01-05)' }] });
    // An empty header is the same as none; a named one still narrows to that customer.
    assert.deepEqual(await get('/v3/stats', { start_date: '2024-01-03' }, { 'on-behalf-of': '' }), days);
    assert.notDeepEqual(await get('/v3/stats', { start_date: '2023-12-27', aggregated_by: 'month' }, { 'on-behalf-of': 'berlin' }), await get('/v3/stats', { start_date: '2023-12-27', aggregated_by: 'month' }));
  });

  test('/v3/categories/stats without on-behalf-of: each requested category summed over the reseller\'s customers', async () => {
    const tokyo = await f.store.addCustomer('tokyo', (await f.store.findReseller('acme'))?.id as number, 'Asia/Tokyo');
    ids.tokyo = tokyo.id;
    const tokyoEvents = [
      ev('processed', '2024-01-02T01:00:00Z', 't1', { category: 'news' }),
      ev('delivered', '2024-01-02T01:01:00Z', 't1', { category: 'news' }),
      ev('processed', '2024-01-04T01:00:00Z', 't2', { category: 'tokyo-only' }),
    ];
    const res = await f.app.inject({
      method: 'POST',
      url: '/webhooks/events?user=tokyo',
      headers: { authorization: basicAuth('acme', KEY), 'content-type': 'application/json' },
      payload: JSON.stringify(tokyoEvents),
    });
    assert.equal(res.json().accepted, 3);
    // Another reseller's customer with the same category on the same days: never summed in.
    await postEvents(f.app, [ev('processed', '2024-01-02T10:00:00Z', 'x9', { category: 'news' })]);

    const names = ['tokyo-only', 'news', 'never-used', 'promo'];
    const body = await get('/v3/categories/stats', { categories: names, start_date: '2023-12-27', aggregated_by: 'week' });
    const shown = ['tokyo-only', 'news', 'promo'];
    const perCategory = await Promise.all(
      shown.map(async (c) => {
        const extra = ` AND category = '${c}'`;
        const all = [...(await rows('category_daily_stats', 'berlin', extra)), ...(await rows('category_daily_stats', 'tokyo', extra)), ...(await rows('category_daily_stats', 'newyork', extra))];
        return bucketSums(all, '2023-12-27', '2024-01-05', 'week');
      }),
    );
    const dates = [...(perCategory[0] as Map<string, Row>).keys()];
    const expected = dates.map((date) => ({ date, stats: shown.map((name, i) => ({ type: 'category', name, metrics: v3(perCategory[i]?.get(date) as Row) })) }));
    assert.deepEqual(body, expected);
    // By hand, news from the 1st: Berlin b4, b5 processed; Tokyo t1 → 3 requests, 2 delivered.
    const jan = (body as Array<{ stats: Array<{ name: string; metrics: Row }> }>)[1]?.stats.find((s) => s.name === 'news')?.metrics as Row;
    assert.deepEqual([jan.requests, jan.delivered], [3, 2]);
  });
});
