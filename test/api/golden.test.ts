// Golden tests: events that produce the seed page's own numbers, then the complete JSON and
// XML bodies of every seed call (the seed's examples made valid, as SPEC section 3 says).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TempDir, type TestStore, addReseller, at, openTestStore, tempDir } from '../helpers.js';
import { buildApp } from '../../src/app.js';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../src/store/types.js';

const SEED_USER = 'eexampexample@example.com';
const NOW = new Date('2009-06-22T18:00:00Z');
const CREDS = 'api_user=your_sendgrid_username&api_key=your_sendgrid_password';

interface DayNumbers {
  date: string;
  category: string;
  requests: number;
  bounces: number;
  clicks: number;
  opens: number;
  spamreports: number;
}

// The seed's three days; the category list example names categoryA, B and C.
const SEED: DayNumbers[] = [
  { date: '2009-06-20', category: 'categoryA', requests: 12342, bounces: 12, clicks: 10223, opens: 9992, spamreports: 5 },
  { date: '2009-06-21', category: 'categoryB', requests: 32342, bounces: 10, clicks: 14323, opens: 10995, spamreports: 7 },
  { date: '2009-06-22', category: 'categoryC', requests: 52342, bounces: 11, clicks: 19223, opens: 12992, spamreports: 2 },
];

function eventsFor(d: DayNumbers): object[] {
  const start = at(`${d.date}T00:00:00Z`);
  const base = (i: number) => ({ email: `rcpt${i}@example.com`, sg_message_id: `${d.date}.${i}`, category: d.category });
  const events: object[] = [];
  // A tenth of the requests are drops: requests count processed + dropped.
  for (let i = 0; i < d.requests; i++) events.push({ ...base(i), event: i % 10 === 0 ? 'dropped' : 'processed', timestamp: start + (i % 60_000) });
  for (let i = 0; i < d.bounces; i++) events.push({ ...base(i), event: 'bounce', type: 'bounce', timestamp: start + 61_000 + i });
  for (let i = 0; i < d.opens; i++) events.push({ ...base(i % 5000), event: 'open', timestamp: start + 62_000 + i });
  for (let i = 0; i < d.clicks; i++) events.push({ ...base(i % 4000), event: 'click', url: 'https://example.com/', timestamp: start + 63_000 + i });
  for (let i = 0; i < d.spamreports; i++) events.push({ ...base(i), event: 'spamreport', timestamp: start + 86_000 + i });
  return events;
}

async function load(app: FastifyInstance, user: string, events: object[]): Promise<void> {
  // 10,000 events per body: the most one webhook body may hold (MAILTALLY_MAX_EVENTS_PER_BODY).
  for (let i = 0; i < events.length; i += 10_000) {
    const res = await app.inject({
      method: 'POST',
      url: `/webhooks/events?user=${encodeURIComponent(user)}`,
      headers: {
        authorization: `Basic ${Buffer.from('your_sendgrid_username:your_sendgrid_password').toString('base64')}`,
        'content-type': 'application/json',
      },
      payload: JSON.stringify(events.slice(i, i + 10_000)),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().rejected.length, 0);
  }
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
const metrics = (d: DayNumbers) => ({ requests: d.requests, bounces: d.bounces, clicks: d.clicks, opens: d.opens, spamreports: d.spamreports });
const row = (d: DayNumbers) => ({ date: d.date, ...metrics(d) });
const xmlMetrics = (d: Omit<DayNumbers, 'date' | 'category'>) =>
  `<requests>${d.requests}</requests><bounces>${d.bounces}</bounces><clicks>${d.clicks}</clicks><opens>${d.opens}</opens><spamreports>${d.spamreports}</spamreports>`;

describe('seed calls, golden bodies', () => {
  let dir: TempDir;
  let testStore: TestStore;
  let store: Store;
  let app: FastifyInstance;

  before(async () => {
    dir = tempDir();
    testStore = await openTestStore(dir);
    store = testStore.store;
    const reseller = await addReseller(store, 'your_sendgrid_username', 'your_sendgrid_password');
    await store.addCustomer(SEED_USER, reseller, 'UTC');
    await store.addCustomer('day-one-only', reseller, 'UTC');
    app = await buildApp({ store, now: () => NOW });
    await load(app, SEED_USER, SEED.flatMap(eventsFor));
    await load(app, 'day-one-only', eventsFor(SEED[0] as DayNumbers));
  });
  after(async () => {
    await app.close();
    await testStore.cleanup();
    dir.cleanup();
  });

  const call = (path: string, data: string) =>
    app.inject({ method: 'POST', url: `/api/${path}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: data });

  test('daily statistics, XML (the seed call: no dates means today, so ask for the three days)', async () => {
    const res = await call('distributor.manage.xml', `${CREDS}&method=stats&user=${SEED_USER}&start_date=2009-06-20&end_date=2009-06-22`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/xml; charset=utf-8');
    assert.equal(
      res.body,
      `${XML_HEAD}<stats>${SEED.map((d) => `<day><date>${d.date}</date>${xmlMetrics(d)}</day>`).join('')}</stats>`,
    );
  });

  test('daily statistics, JSON, through the distributor.manageSubuser alias', async () => {
    const res = await call('distributor.manageSubuser.json', `${CREDS}&method=stats&user=${SEED_USER}&days=3`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(
      res.body,
      '[{"date":"2009-06-20","requests":12342,"bounces":12,"clicks":10223,"opens":9992,"spamreports":5},' +
        '{"date":"2009-06-21","requests":32342,"bounces":10,"clicks":14323,"opens":10995,"spamreports":7},' +
        '{"date":"2009-06-22","requests":52342,"bounces":11,"clicks":19223,"opens":12992,"spamreports":2}]',
    );
  });

  test('the literal seed call (no dates) answers today only', async () => {
    const res = await call('distributor.manage.json', `${CREDS}&method=stats&user=${SEED_USER}`);
    assert.deepEqual(res.json(), [row(SEED[2] as DayNumbers)]);
  });

  test('aggregate, JSON and XML: all-time totals', async () => {
    const seedBody = '{"requests":12342,"bounces":12,"clicks":10223,"opens":9992,"spamreports":5}';
    const one = await call('distributor.manage.json', `${CREDS}&method=stats&user=day-one-only&aggregate=1`);
    assert.equal(one.body, seedBody);
    const oneXml = await call('distributor.manage.xml', `${CREDS}&method=stats&user=day-one-only&aggregate=1`);
    assert.equal(oneXml.body, `${XML_HEAD}<stats>${xmlMetrics(SEED[0] as DayNumbers)}</stats>`);

    const sum = { requests: 97026, bounces: 33, clicks: 43769, opens: 33979, spamreports: 14 };
    const all = await call('distributor.manage.json', `${CREDS}&method=stats&user=${SEED_USER}&aggregate=1`);
    assert.equal(all.body, JSON.stringify(sum));
    const allXml = await call('distributor.manage.xml', `${CREDS}&method=stats&user=${SEED_USER}&aggregate=1`);
    assert.equal(allXml.body, `${XML_HEAD}<stats>${xmlMetrics(sum)}</stats>`);
  });

  test('category list, JSON and XML', async () => {
    const json = await call('distributor.manage.json', `${CREDS}&method=stats&user=${SEED_USER}&list=true`);
    assert.equal(json.body, '[{"category":"categoryA"},{"category":"categoryB"},{"category":"categoryC"}]');
    const xml = await call('distributor.manage.xml', `${CREDS}&method=stats&user=${SEED_USER}&list=true`);
    assert.equal(xml.body, `${XML_HEAD}<categories><category>categoryA</category><category>categoryB</category><category>categoryC</category></categories>`);
  });

  test('category statistics with category[]: every day, each requested category, zero-filled', async () => {
    const params = `${CREDS}&method=stats&user=${SEED_USER}&start_date=2009-06-20&end_date=2009-06-22&category[]=categoryA&category[]=categoryB`;
    const zero = { requests: 0, bounces: 0, clicks: 0, opens: 0, spamreports: 0 };
    const [a, b] = SEED as [DayNumbers, DayNumbers];
    const expected = [
      { date: '2009-06-20', category: 'categoryA', ...metrics(a) },
      { date: '2009-06-20', category: 'categoryB', ...zero },
      { date: '2009-06-21', category: 'categoryA', ...zero },
      { date: '2009-06-21', category: 'categoryB', ...metrics(b) },
      { date: '2009-06-22', category: 'categoryA', ...zero },
      { date: '2009-06-22', category: 'categoryB', ...zero },
    ];
    const json = await call('distributor.manage.json', params);
    assert.equal(json.body, JSON.stringify(expected));
    const xml = await call('distributor.manage.xml', params);
    assert.equal(
      xml.body,
      `${XML_HEAD}<stats>${expected.map((r) => `<day><date>${r.date}</date><category>${r.category}</category>${xmlMetrics(r)}</day>`).join('')}</stats>`,
    );
  });

  test('category statistics for a category the customer never had: empty result', async () => {
    const params = `${CREDS}&method=stats&user=${SEED_USER}&start_date=2009-06-20&end_date=2009-06-22&category=category`;
    assert.equal((await call('distributor.manage.json', params)).body, '[]');
    assert.equal((await call('distributor.manage.xml', params)).body, `${XML_HEAD}<stats/>`);
  });
});
