// Issue 11: a replay of the requests real legacy clients send, byte for byte over a real socket
// (so Expect: 100-continue, Content-Length: 0 and curl's boundaries go through Node's HTTP
// server as they would in production), each answer checked against the rollup tables read
// with SQL and rendered here without the server's code.
//   - a GET with everything in the query string (hubot-scripts, browsers, wget);
//   - a POST with the parameters in the query string and no body (sendgrid_toolkit/HTTParty),
//     with and without a form Content-Type;
//   - PHP's curl given an array of fields: multipart/form-data, curl's boundary, one
//     Content-Disposition: form-data; name="…" part per field, Expect: 100-continue, and
//     numbered `category[0]`, `category[1]` keys (a PHP array cannot repeat `category[]`);
//   - PHP's http_build_query body (urlencoded `category%5B0%5D=…`) and `category[]` in a query.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type Fixture, at, fixture, postEvents } from '../helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z'); // today is 2024-03-10 for the UTC customer c1
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
const V1 = ['requests', 'bounces', 'clicks', 'opens', 'spamreports'] as const;
const AUTH = 'api_user=r1&api_key=key-r1-secret&method=stats&user=c1';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Interim 100 Continue seen before the answer. */
  continued: boolean;
}

/**
 * Sends `head` (request line and headers, without the blank line) and `body` over a fresh
 * socket and reads the answer to the end (Connection: close). With `expectContinue`, the body
 * goes only after the server's 100 Continue, as curl does.
 */
function raw(port: number, head: string, body: Buffer, expectContinue = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let sentBody = !expectContinue;
    socket.on('connect', () => {
      socket.write(`${head}\r\nConnection: close\r\n\r\n`);
      if (sentBody) socket.write(body);
    });
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (!sentBody && Buffer.concat(chunks).toString('latin1').startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        sentBody = true;
        socket.write(body);
      }
    });
    socket.on('error', reject);
    socket.on('end', () => {
      let text = Buffer.concat(chunks).toString('utf8');
      const continued = text.startsWith('HTTP/1.1 100 Continue\r\n\r\n');
      if (continued) text = text.slice('HTTP/1.1 100 Continue\r\n\r\n'.length);
      const [headText = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = headText.split('\r\n');
      const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n'), continued });
    });
  });
}

/** The multipart body libcurl builds from PHP's array of fields. */
function phpCurlMultipart(fields: Array<[string, string]>): { boundary: string; body: Buffer } {
  const boundary = '------------------------3f2a9c1e7b5d4a60';
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return { boundary, body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`, 'utf8') };
}

const iso = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);
const dayOf = (date: string): number => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

describe('replay of real legacy clients, checked against the rollups', () => {
  let f: Fixture;
  let port: number;
  type Rollup = Record<string, number>;
  let daily: Map<number, Rollup>;
  let byCategory: Map<string, Map<number, Rollup>>;

  before(async () => {
    f = await fixture(NOW);
    const ev = (event: string, when: string, m: string, category: string | string[], extra: Record<string, unknown> = {}) => ({
      event, timestamp: at(when), email: `${m}@example.com`, sg_message_id: m, category, ...extra,
    });
    const res = await postEvents(f.app, [
      ev('processed', '2024-03-04T09:00:00Z', 'a', ['news', 'promo']),
      ev('open', '2024-03-04T10:00:00Z', 'a', 'news', { useragent: 'Mozilla', tls: 1 }),
      ev('click', '2024-03-05T10:00:00Z', 'a', 'news', { url: 'https://example.com/x' }),
      ev('processed', '2024-03-08T09:00:00Z', 'b', 'promo'),
      ev('bounce', '2024-03-08T09:05:00Z', 'b', 'promo', { type: 'bounce', reason: '550 unknown user' }),
      ev('dropped', '2024-03-09T09:00:00Z', 'c', 'news', { reason: 'Unsubscribed Address' }),
      ev('spamreport', '2024-03-10T08:00:00Z', 'a', ['news', 'promo']),
    ]);
    assert.equal(res.body.accepted, 7);
    const rows = (await f.sql(`SELECT * FROM daily_stats WHERE customer_id = ${f.customer.id}`)) as Rollup[];
    daily = new Map(rows.map((r) => [r.day as number, r]));
    byCategory = new Map();
    for (const r of (await f.sql(`SELECT * FROM category_daily_stats WHERE customer_id = ${f.customer.id}`)) as Array<Rollup & { category: string }>) {
      if (!byCategory.has(r.category)) byCategory.set(r.category, new Map());
      byCategory.get(r.category)?.set(Number(r.day), r);
    }
    const url = await f.app.listen({ port: 0, host: '127.0.0.1' });
    port = Number(new URL(url).port);
  });
  after(() => f.close());

  const metricsOf = (r: Rollup | undefined): Array<[string, number]> => V1.map((m) => [m, r?.[m] ?? 0]);

  /** The v1 daily answer for a range, from the rollups. */
  function expectedDaily(from: string, to: string, format: 'json' | 'xml'): string {
    const rows: Array<Array<[string, string | number]>> = [];
    for (let d = dayOf(from); d <= dayOf(to); d++) rows.push([['date', iso(d)], ...metricsOf(daily.get(d))]);
    return render(rows, format);
  }

  /** The v1 category answer: per day, one row per requested category the customer has. */
  function expectedCategories(names: string[], from: string, to: string, format: 'json' | 'xml'): string {
    const rows: Array<Array<[string, string | number]>> = [];
    for (let d = dayOf(from); d <= dayOf(to); d++) {
      for (const c of names.filter((n) => byCategory.has(n))) rows.push([['date', iso(d)], ['category', c], ...metricsOf(byCategory.get(c)?.get(d))]);
    }
    return render(rows, format);
  }

  function render(rows: Array<Array<[string, string | number]>>, format: 'json' | 'xml'): string {
    if (format === 'json') return JSON.stringify(rows.map((r) => Object.fromEntries(r)));
    if (rows.length === 0) return `${XML_HEAD}<stats/>`;
    return `${XML_HEAD}<stats>${rows.map((r) => `<day>${r.map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</day>`).join('')}</stats>`;
  }

  function assertAnswer(res: Answer, expected: string, format: 'json' | 'xml', label: string): void {
    assert.equal(res.status, 200, `${label}: ${res.body}`);
    assert.equal(res.headers['content-type'], `application/${format}; charset=utf-8`, label);
    assert.equal(res.body, expected, label);
  }

  test('GET with every parameter in the query string', async () => {
    const res = await raw(port, `GET /api/distributor.manage.json?${AUTH}&days=7 HTTP/1.1\r\nHost: sendgrid.com\r\nUser-Agent: Hubot\r\nAccept: */*`, Buffer.alloc(0));
    assertAnswer(res, expectedDaily('2024-03-04', '2024-03-10', 'json'), 'json', 'GET days=7');
    // By hand: the 4th has a's request and open, the 8th b's request and bounce.
    const rows = JSON.parse(res.body) as Array<Record<string, number>>;
    assert.deepEqual([rows[0]?.requests, rows[0]?.opens, rows[4]?.requests, rows[4]?.bounces], [1, 1, 1, 1]);
  });

  test('GET with category[] repeated in the query string', async () => {
    const res = await raw(port, `GET /api/distributor.manage.xml?${AUTH}&category%5B%5D=promo&category%5B%5D=news&category%5B%5D=gone&start_date=2024-03-04&end_date=2024-03-06 HTTP/1.1\r\nHost: x`, Buffer.alloc(0));
    assertAnswer(res, expectedCategories(['promo', 'news', 'gone'], '2024-03-04', '2024-03-06', 'xml'), 'xml', 'GET category[]');
  });

  test('POST with the parameters in the query string and no body (with and without a form Content-Type)', async () => {
    const path = `/api/distributor.manage.json?${AUTH}&start_date=2024-03-08&end_date=2024-03-10`;
    for (const typeHeader of ['', '\r\nContent-Type: application/x-www-form-urlencoded']) {
      const res = await raw(port, `POST ${path} HTTP/1.1\r\nHost: sendgrid.com\r\nUser-Agent: HTTParty\r\nContent-Length: 0${typeHeader}`, Buffer.alloc(0));
      assertAnswer(res, expectedDaily('2024-03-08', '2024-03-10', 'json'), 'json', `POST no body ${JSON.stringify(typeHeader)}`);
    }
  });

  test("PHP's curl with an array of fields: multipart, Expect: 100-continue, numbered category keys", async () => {
    const fields: Array<[string, string]> = [
      ['api_user', 'r1'],
      ['api_key', 'key-r1-secret'],
      ['method', 'stats'],
      ['user', 'c1'],
      ['category[0]', 'news'],
      ['category[1]', 'promo'],
      ['days', '7'],
      // A long, unknown parameter, as a real program's array may carry: pushes the body past
      // 1 KiB, where libcurl asks for 100-continue.
      ['comment', 'x'.repeat(1500)],
    ];
    const { boundary, body } = phpCurlMultipart(fields);
    for (const format of ['json', 'xml'] as const) {
      const res = await raw(
        port,
        `POST /api/distributor.manage.${format} HTTP/1.1\r\nHost: sendgrid.com\r\nAccept: */*\r\nContent-Length: ${body.length}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nExpect: 100-continue`,
        body,
        true,
      );
      assert.ok(res.continued, 'the server asked for the body with 100 Continue');
      assertAnswer(res, expectedCategories(['news', 'promo'], '2024-03-04', '2024-03-10', format), format, `PHP multipart ${format}`);
    }
  });

  test("PHP's curl with an array of fields on v2, aggregate with categories", async () => {
    const { boundary, body } = phpCurlMultipart([
      ['api_user', 'r1'],
      ['api_key', 'key-r1-secret'],
      ['method', 'stats'],
      ['user', 'c1'],
      ['aggregate', '1'],
      ['category[]', 'promo'],
    ]);
    const res = await raw(port, `POST /apiv2/reseller.manage.json HTTP/1.1\r\nHost: sendgrid.com\r\nContent-Length: ${body.length}\r\nContent-Type: multipart/form-data; boundary=${boundary}`, body);
    assert.equal(res.status, 200, res.body);
    const [row] = JSON.parse(res.body) as Array<Record<string, unknown>>;
    const promo = [...(byCategory.get('promo')?.values() ?? [])];
    const total = (m: string): number => promo.reduce((n, r) => n + (r[m] ?? 0), 0);
    assert.equal(row?.category, 'promo');
    assert.deepEqual([row?.requests, row?.bounces, row?.spamreports, row?.blocked], [total('requests'), total('bounces'), total('spamreports'), total('blocks')]);
    assert.deepEqual([row?.requests, row?.bounces, row?.spamreports], [2, 1, 1]);
  });

  test("PHP's http_build_query body: urlencoded with category%5B0%5D keys", async () => {
    const body = Buffer.from(`${AUTH}&category%5B0%5D=promo&category%5B1%5D=news&start_date=2024-03-08`);
    const res = await raw(port, `POST /api/distributor.manage.json HTTP/1.1\r\nHost: sendgrid.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}`, body);
    assertAnswer(res, expectedCategories(['promo', 'news'], '2024-03-08', '2024-03-10', 'json'), 'json', 'http_build_query');
  });
});
