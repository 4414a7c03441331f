// SPEC section 4 "Idempotency" and section 5 "From events to metrics", end to end: a realistic,
// seeded set of a few thousand events is delivered many times, shuffled, in batches, with
// changed sg_event_ids and late earliest opens/clicks; the rollups (read through the API and
// straight from SQLite) must equal a reference model written here from the SPEC alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import type { FastifyInstance } from 'fastify';
import { type Fixture, at, basicAuth, fixture, stats } from '../helpers.js';
import { prng } from '../random.js';

// ---------------------------------------------------------------------------------------------
// Reference model (SPEC section 5), deliberately independent of src/domain.

const METRICS = [
  'requests', 'processed', 'delivered', 'deferred', 'bounces', 'blocks', 'opens', 'machine_opens', 'unique_opens',
  'clicks', 'unique_clicks', 'spamreports', 'unsubscribes', 'repeat_bounces', 'repeat_unsubscribes',
  'repeat_spamreports', 'invalid_email', 'spam_drop',
] as const;
type Metric = (typeof METRICS)[number];
type Row = Record<Metric, number>;
const V1 = ['requests', 'bounces', 'clicks', 'opens', 'spamreports'] as const;

interface Ev {
  event: string;
  timestamp: number;
  email: string;
  sg_message_id?: string;
  'smtp-id'?: string;
  sg_event_id?: string;
  url?: string;
  type?: string;
  reason?: string;
  category?: string | string[];
  sg_machine_open?: boolean;
  [extra: string]: unknown;
}

const zero = (): Row => Object.fromEntries(METRICS.map((m) => [m, 0])) as Row;
const seconds = (ts: number): number => (ts > 1e11 ? Math.floor(ts / 1000) : ts);
const utcDay = (ts: number): number => Math.floor(seconds(ts) / 86_400);
/** The customer's calendar day (SPEC 1) of a timestamp, as days since 1970-01-01. */
function dayIn(ts: number, timeZone: string): number {
  if (timeZone === 'UTC') return utcDay(ts);
  const ymd = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(seconds(ts) * 1000);
  return Date.parse(`${ymd}T00:00:00Z`) / 86_400_000;
}
const dateOf = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);
const categoriesOf = (e: Ev): string[] => (e.category === undefined ? [] : [...new Set(typeof e.category === 'string' ? [e.category] : e.category)]);

/** SPEC 4: customer, event, timestamp, sg_message_id, email, and url for clicks, type/reason for bounces/drops. */
function fingerprint(e: Ev): string {
  return JSON.stringify([
    e.event,
    seconds(e.timestamp),
    e.sg_message_id ?? null,
    e.email,
    e.event === 'click' ? (e.url ?? null) : null,
    e.event === 'bounce' || e.event === 'dropped' ? [e.type ?? null, e.reason ?? null] : null,
  ]);
}

/** A message is its sg_message_id, or email + smtp-id when that is absent. */
const messageOf = (e: Ev): string => (e.sg_message_id !== undefined ? `id:${e.sg_message_id}` : `es:${e.email}|${e['smtp-id'] ?? ''}`);

const DROP_METRIC: Record<string, Metric> = {
  'Bounced Address': 'repeat_bounces',
  'Unsubscribed Address': 'repeat_unsubscribes',
  'Spam Reporting Address': 'repeat_spamreports',
  Invalid: 'invalid_email',
  'Spam Content': 'spam_drop',
};

function plainMetrics(e: Ev): Metric[] {
  switch (e.event) {
    case 'processed':
      return ['requests', 'processed'];
    case 'dropped': {
      const m = e.reason === undefined ? undefined : DROP_METRIC[e.reason];
      return m ? ['requests', m] : ['requests'];
    }
    case 'delivered':
      return ['delivered'];
    case 'deferred':
      return ['deferred'];
    case 'bounce':
      if (e.type === undefined || e.type === 'bounce' || e.type === 'expired') return ['bounces'];
      return e.type === 'blocked' ? ['blocks'] : [];
    case 'open':
      return e.sg_machine_open === true ? ['opens', 'machine_opens'] : ['opens'];
    case 'click':
      return ['clicks'];
    case 'spamreport':
      return ['spamreports'];
    case 'unsubscribe':
    case 'group_unsubscribe':
      return ['unsubscribes'];
    case 'group_resubscribe':
      return [];
    default:
      throw new Error(`model: unexpected event ${e.event}`);
  }
}

interface Model {
  distinct: number;
  daily: Map<number, Row>;
  /** `${category}\u0000${day}` → row */
  byCategory: Map<string, Row>;
  categories: Set<string>;
}

function modelIn(delivered: readonly Ev[], timeZone: string): Model {
  const seen = new Map<string, Ev>();
  for (const e of delivered) if (!seen.has(fingerprint(e))) seen.set(fingerprint(e), e);
  const daily = new Map<number, Row>();
  const byCategory = new Map<string, Row>();
  const categories = new Set<string>();
  const bump = (e: Ev, m: Metric): void => {
    const d = dayIn(e.timestamp, timeZone);
    if (!daily.has(d)) daily.set(d, zero());
    (daily.get(d) as Row)[m] += 1;
    for (const c of categoriesOf(e)) {
      const k = `${c}\u0000${d}`;
      if (!byCategory.has(k)) byCategory.set(k, zero());
      (byCategory.get(k) as Row)[m] += 1;
    }
  };
  const earliest = new Map<string, Ev>(); // `${open|click} ${message}` → earliest event
  for (const e of seen.values()) {
    for (const c of categoriesOf(e)) categories.add(c);
    for (const m of plainMetrics(e)) bump(e, m);
    if (e.event === 'open' || e.event === 'click') {
      const k = `${e.event} ${messageOf(e)}`;
      const first = earliest.get(k);
      if (!first || seconds(e.timestamp) < seconds(first.timestamp)) earliest.set(k, e);
    }
  }
  for (const e of earliest.values()) bump(e, e.event === 'open' ? 'unique_opens' : 'unique_clicks');
  return { distinct: seen.size, daily, byCategory, categories };
}

// ---------------------------------------------------------------------------------------------
// A realistic event stream, seeded.


class Rng {
  constructor(readonly next: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
    }
    return xs;
  }
  id(): string {
    return Array.from({ length: 22 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[this.int(0, 63)]).join('');
  }
}

const NOW = new Date('2024-03-10T18:00:00Z');
const FIRST_DAY = '2024-03-04';
const CATEGORY_POOL = ['newsletter', 'promo', 'Promo', 'receipt', 'welcome', 'été ☀', 'a&b <c> "d" \'e\'', 'digest'];
const DROP_REASONS = ['Bounced Address', 'Unsubscribed Address', 'Spam Reporting Address', 'Invalid', 'Spam Content', 'Invalid SMTPAPI header', 'Expired'];
const BOUNCE_TYPES = [undefined, 'bounce', 'blocked', 'expired'];
const URLS = ['https://shop.example/a', 'https://shop.example/b?x=1&y=2', 'https://example.org/unsubscribe'];

interface Stream {
  events: Ev[];
  /** Earliest opens/clicks of messages that have later ones too: delivered last. */
  lateEarliest: Set<Ev>;
}

function generate(rng: Rng, messages: number): Stream {
  const events: Ev[] = [];
  const lateEarliest = new Set<Ev>();
  const start = at(`${FIRST_DAY}T00:00:00Z`);
  const end = Math.floor(NOW.getTime() / 1000) - 1;
  for (let i = 0; i < messages; i++) {
    const hasId = rng.chance(0.9);
    const base: Pick<Ev, 'email' | 'sg_message_id' | 'smtp-id' | 'category'> = { email: `user${i}@customer.example` };
    if (hasId) base.sg_message_id = `${rng.id()}.filterdrecv-${i}.0`;
    else base['smtp-id'] = `<${rng.id()}@ismtpd.example>`;
    const r = rng.next();
    if (r < 0.55) base.category = rng.pick(CATEGORY_POOL);
    else if (r < 0.85) {
      const list = Array.from({ length: rng.int(1, 3) }, () => rng.pick(CATEGORY_POOL));
      if (rng.chance(0.1)) list.push(list[0] as string); // a name repeated inside one event
      base.category = list;
    }
    const msgEvents: Ev[] = [];
    const add = (event: string, timestamp: number, extra: Partial<Ev> = {}): Ev | undefined => {
      if (timestamp > end) return undefined;
      const e: Ev = { ...base, event, timestamp, ...extra };
      if (rng.chance(0.85)) e.sg_event_id = rng.id(); // missing on some events
      if (rng.chance(0.3)) Object.assign(e, { ip: '203.0.113.7', useragent: 'Mozilla/5.0', tenant_id: `t${i % 7}` });
      msgEvents.push(e);
      return e;
    };
    const t0 = rng.int(start, at('2024-03-10T12:00:00Z'));
    if (rng.chance(0.1)) {
      add('dropped', t0, { reason: rng.pick(DROP_REASONS), status: '5.0.0' });
    } else {
      add('processed', t0);
      let t = t0;
      for (let d = rng.chance(0.12) ? rng.int(1, 3) : 0; d > 0; d--) add('deferred', (t += rng.int(30, 3600)), { attempt: String(d) });
      const fate = rng.next();
      if (fate < 0.12) {
        const type = rng.pick(BOUNCE_TYPES);
        add('bounce', (t += rng.int(1, 600)), { ...(type === undefined ? {} : { type }), reason: '550 5.1.1 unknown user', status: '5.1.1' });
      } else if (fate < 0.95) {
        add('delivered', (t += rng.int(1, 600)), { response: '250 OK' });
        let to = t;
        const opens: Ev[] = [];
        for (let k = rng.int(0, 5); k > 0; k--) {
          const o = add('open', (to += rng.int(5, 40_000)), rng.chance(0.25) ? { sg_machine_open: true } : rng.chance(0.5) ? { sg_machine_open: false } : {});
          if (o) opens.push(o);
        }
        let tc = t;
        const clicks: Ev[] = [];
        for (let k = opens.length > 0 ? rng.int(0, 3) : 0; k > 0; k--) {
          tc += rng.int(10, 50_000);
          const c = add('click', tc, { url: rng.pick(URLS) });
          if (c) clicks.push(c);
          // Two links clicked in the same second are two events (the url is in the fingerprint).
          if (c && rng.chance(0.1)) add('click', tc, { url: URLS.find((u) => u !== c.url) as string });
        }
        if (opens.length > 1 && rng.chance(0.35)) lateEarliest.add(opens[0] as Ev);
        if (clicks.length > 1 && rng.chance(0.35)) lateEarliest.add(clicks[0] as Ev);
        const tl = Math.max(to, tc);
        if (rng.chance(0.02)) add('spamreport', tl + rng.int(1, 9000));
        if (rng.chance(0.03)) add('unsubscribe', tl + rng.int(1, 9000));
        if (rng.chance(0.03)) {
          const u = add('group_unsubscribe', tl + rng.int(1, 9000), { asm_group_id: 42 });
          if (u && rng.chance(0.5)) add('group_resubscribe', u.timestamp + rng.int(1, 9000), { asm_group_id: 42 });
        }
      }
    }
    // Some senders (and SendGrid at times) give milliseconds; SPEC: above 10^11 means ms.
    for (const e of msgEvents) if (rng.chance(0.05)) e.timestamp = e.timestamp * 1000 + rng.int(0, 999);
    events.push(...msgEvents);
  }
  return { events, lateEarliest };
}

/** How often SendGrid delivers one event: about three times on average, sometimes dozens. */
function copies(rng: Rng): number {
  const r = rng.next();
  if (r < 0.3) return 1;
  if (r < 0.6) return 2;
  if (r < 0.85) return 3;
  if (r < 0.97) return rng.int(4, 6);
  return rng.int(20, 40);
}

/** A retry: the same event, sometimes with a new (or no) sg_event_id. */
function retryOf(rng: Rng, e: Ev): Ev {
  const copy = { ...e };
  if (rng.chance(0.3)) copy.sg_event_id = rng.id();
  else if (rng.chance(0.05)) delete copy.sg_event_id;
  return copy;
}

function batches<T>(rng: Rng, items: readonly T[], lo: number, hi: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const n = rng.int(lo, hi);
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Delivery and checks.

interface Totals {
  accepted: number;
  duplicates: number;
  rejected: number;
}

async function deliver(app: FastifyInstance, batchList: Ev[][], user = 'c1', auth = basicAuth('r1', 'key-r1-secret')): Promise<Totals> {
  const totals: Totals = { accepted: 0, duplicates: 0, rejected: 0 };
  for (const batch of batchList) {
    const res = await app.inject({
      method: 'POST',
      url: `/webhooks/events?user=${user}`,
      headers: { authorization: auth, 'content-type': 'application/json' },
      payload: JSON.stringify(batch),
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { accepted: number; duplicates: number; rejected: unknown[] };
    assert.deepEqual(body.rejected, [], 'every generated event is valid');
    assert.equal(body.accepted + body.duplicates, batch.length, 'each event of a batch is either accepted or a duplicate');
    totals.accepted += body.accepted;
    totals.duplicates += body.duplicates;
    totals.rejected += body.rejected.length;
  }
  return totals;
}

const nonZero = (r: Row): boolean => METRICS.some((m) => r[m] !== 0);

async function stored(f: Fixture, customerId: number): Promise<{ daily: Map<number, Row>; byCategory: Map<string, Row> }> {
  const cols = METRICS.join(', ');
  const daily = new Map<number, Row>();
  for (const r of await f.sql(`SELECT day, ${cols} FROM daily_stats WHERE customer_id = ${customerId}`)) {
    const row = Object.fromEntries(METRICS.map((m) => [m, r[m]])) as Row;
    if (nonZero(row)) daily.set(r.day as number, row);
  }
  const byCategory = new Map<string, Row>();
  for (const r of await f.sql(`SELECT category, day, ${cols} FROM category_daily_stats WHERE customer_id = ${customerId}`)) {
    const row = Object.fromEntries(METRICS.map((m) => [m, r[m]])) as Row;
    if (nonZero(row)) byCategory.set(`${String(r.category)}\u0000${String(r.day)}`, row);
  }
  return { daily, byCategory };
}

const sortedEntries = <K, V>(m: Map<K, V>): Array<[K, V]> => [...m.entries()].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0));

async function assertStoredEquals(f: Fixture, customerId: number, want: Model, label: string): Promise<void> {
  const got = await stored(f, customerId);
  const wantDaily = new Map([...want.daily].filter(([, r]) => nonZero(r)));
  const wantCat = new Map([...want.byCategory].filter(([, r]) => nonZero(r)));
  assert.deepEqual(sortedEntries(got.daily), sortedEntries(wantDaily), `${label}: daily_stats, all 18 metrics`);
  assert.deepEqual(sortedEntries(got.byCategory), sortedEntries(wantCat), `${label}: category_daily_stats, all 18 metrics`);
}

const v1 = (r: Row | undefined): Record<string, number> => Object.fromEntries(V1.map((m) => [m, r?.[m] ?? 0]));

async function assertApiEquals(f: Fixture, want: Model, label: string): Promise<void> {
  // From the first day with events to the customer's today.
  const firstDay = Math.min(...want.daily.keys());
  const lastDay = dayIn(Math.floor(f.clock.now.getTime() / 1000), f.customer.timezone);
  const range = { start_date: dateOf(firstDay), end_date: dateOf(lastDay) };

  const days: number[] = [];
  for (let d = firstDay; d <= lastDay; d++) days.push(d);
  const expectedDaily = days.map((d) => ({ date: dateOf(d), ...v1(want.daily.get(d)) }));
  const daily = await stats(f.app, 'json', range);
  assert.equal(daily.statusCode, 200, daily.body);
  assert.deepEqual(daily.json(), expectedDaily, `${label}: daily v1 metrics via the API`);

  const xml = await stats(f.app, 'xml', range);
  assert.equal(xml.statusCode, 200, xml.body);
  const parsed = new XMLParser({ parseTagValue: false }).parse(xml.body) as { stats: { day: Array<Record<string, string>> } };
  assert.deepEqual(
    parsed.stats.day.map((r) => ({ date: r.date, ...Object.fromEntries(V1.map((m) => [m, Number(r[m])])) })),
    expectedDaily,
    `${label}: daily v1 metrics via the XML API`,
  );

  const aggregate = await stats(f.app, 'json', { aggregate: '1' });
  const total = zero();
  for (const r of want.daily.values()) for (const m of METRICS) total[m] += r[m];
  assert.deepEqual(aggregate.json(), v1(total), `${label}: aggregate`);

  const list = await stats(f.app, 'json', { list: 'true' });
  assert.deepEqual(new Set((list.json() as Array<{ category: string }>).map((r) => r.category)), want.categories, `${label}: category list`);

  const requested = [...want.categories, 'never-used'];
  const byCategory = await stats(f.app, 'json', { ...range, category: requested });
  assert.equal(byCategory.statusCode, 200, byCategory.body);
  const expectedRows = days.flatMap((d) => [...want.categories].map((c) => ({ date: dateOf(d), category: c, ...v1(want.byCategory.get(`${c}\u0000${d}`)) })));
  assert.deepEqual(byCategory.json(), expectedRows, `${label}: category v1 metrics via the API`);
}

describe('idempotency: many deliveries, shuffled, one count per event', () => {
  const SEED = 0x5eed_2024;

  // UTC, a half-hour zone whose DST starts on the last day, and a +5:45 zone whose "today"
  // turns over during the test.
  for (const tz of ['UTC', 'America/St_Johns', 'Asia/Kathmandu']) {
    test(`seed ${SEED}, customer in ${tz}: three phases of delivery match the reference model exactly`, async () => {
      const rng = new Rng(prng(SEED));
      const { events, lateEarliest } = generate(rng, 700);
      const f = await fixture(NOW, { timezone: tz });
      const model = (delivered: readonly Ev[]): Model => modelIn(delivered, tz);
      try {
        const distinct = model(events);
        // The stream must exercise what it claims to.
        assert.ok(events.length >= 2500, `only ${events.length} events`);
        assert.ok(lateEarliest.size >= 40, `only ${lateEarliest.size} late earliest opens/clicks`);
        for (const t of ['processed', 'dropped', 'delivered', 'deferred', 'bounce', 'open', 'click', 'spamreport', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe']) {
          assert.ok(events.some((e) => e.event === t), `no ${t} event generated`);
        }
        for (const m of METRICS) assert.ok([...distinct.daily.values()].some((r) => r[m] > 0), `metric ${m} is never exercised`);
        assert.ok(events.some((e) => e.timestamp > 1e11), 'no millisecond timestamps');
        assert.ok(events.some((e) => e.event === 'open' && e.sg_message_id === undefined), 'no opens identified by email + smtp-id');
        assert.ok(distinct.daily.size >= 7, 'events on every day of the week');

        // Phase A: every delivery except those of the held-back earliest opens/clicks.
        const phaseA: Ev[] = [];
        const phaseB: Ev[] = [];
        for (const e of events) for (let k = copies(rng); k > 0; k--) (lateEarliest.has(e) ? phaseB : phaseA).push(k === 1 ? e : retryOf(rng, e));
        rng.shuffle(phaseA);
        rng.shuffle(phaseB);

        const a = await deliver(f.app, batches(rng, phaseA, 50, 400));
        const modelA = model(phaseA);
        assert.equal(a.accepted, modelA.distinct, 'phase A: accepted = distinct events delivered');
        assert.equal(a.accepted + a.duplicates, phaseA.length);
        assert.ok(a.duplicates > 0);
        await assertStoredEquals(f, f.customer.id, modelA, 'after phase A');
        await assertApiEquals(f, modelA, 'after phase A');

        // Phase B: the earliest opens/clicks arrive last and must move the unique counts to their day.
        f.clock.now = new Date(f.clock.now.getTime() + 10 * 60_000);
        const b = await deliver(f.app, batches(rng, phaseB, 5, 60));
        assert.equal(b.accepted, lateEarliest.size, 'phase B: each held-back event accepted once');
        const all = [...phaseA, ...phaseB];
        const modelAll = model(all);
        assert.equal(modelAll.distinct, distinct.distinct);
        assert.notDeepEqual(sortedEntries(modelA.daily), sortedEntries(modelAll.daily), 'phase B changes the expected rollups');
        await assertStoredEquals(f, f.customer.id, modelAll, 'after phase B');
        await assertApiEquals(f, modelAll, 'after phase B');

        // Phase C: the whole stream replayed twice more, in other orders and batch sizes.
        let replayed = 0;
        let c: Totals = { accepted: 0, duplicates: 0, rejected: 0 };
        for (let round = 0; round < 2; round++) {
          f.clock.now = new Date(f.clock.now.getTime() + 10 * 60_000);
          const replay = rng.shuffle(events.map((e) => retryOf(rng, e)));
          replayed += replay.length;
          const t = await deliver(f.app, batches(rng, replay, 200, 1500));
          c = { accepted: c.accepted + t.accepted, duplicates: c.duplicates + t.duplicates, rejected: 0 };
        }
        assert.deepEqual(c, { accepted: 0, duplicates: replayed, rejected: 0 }, 'a replay is all duplicates');
        await assertStoredEquals(f, f.customer.id, modelAll, 'after replays');
        await assertApiEquals(f, modelAll, 'after replays');

        // Overall: every event accepted exactly once.
        assert.equal(a.accepted + b.accepted + c.accepted, distinct.distinct);
        assert.equal(a.accepted + a.duplicates + b.accepted + b.duplicates + c.accepted + c.duplicates, phaseA.length + phaseB.length + replayed);

        // The fingerprint includes the customer: the same events for c2 are new there, and c1 stays put.
        const forC2 = await deliver(f.app, batches(rng, events, 300, 600), 'c2', basicAuth('r2', 'key-r2-secret'));
        assert.deepEqual(forC2, { accepted: distinct.distinct, duplicates: events.length - distinct.distinct, rejected: 0 });
        const c2 = await f.store.findCustomer('c2');
        assert.ok(c2);
        await assertStoredEquals(f, c2.id, modelIn(all, 'UTC'), 'c2 (in UTC)');
        await assertStoredEquals(f, f.customer.id, modelAll, 'c1 after c2');
      } finally {
        await f.close();
      }
    });
  }

  test('the reference model itself: uniques move to the earliest open, duplicates by fingerprint only', () => {
    const d1 = at('2024-03-05T10:00:00Z');
    const d2 = at('2024-03-07T10:00:00Z');
    const m = modelIn([
      { event: 'open', timestamp: d2, email: 'x@e', sg_message_id: 'm', category: 'k', sg_event_id: 'a' },
      { event: 'open', timestamp: d2, email: 'x@e', sg_message_id: 'm', category: 'k', sg_event_id: 'b' },
      { event: 'open', timestamp: d1 * 1000 + 5, email: 'x@e', sg_message_id: 'm', category: 'k', sg_machine_open: true },
      { event: 'click', timestamp: d1, email: 'x@e', sg_message_id: 'm', url: 'u1' },
      { event: 'click', timestamp: d1, email: 'x@e', sg_message_id: 'm', url: 'u2' },
    ], 'UTC');
    assert.equal(m.distinct, 4);
    const day1 = m.daily.get(utcDay(d1));
    const day2 = m.daily.get(utcDay(d2));
    assert.deepEqual([day1?.opens, day1?.machine_opens, day1?.unique_opens, day1?.clicks, day1?.unique_clicks], [1, 1, 1, 2, 1]);
    assert.deepEqual([day2?.opens, day2?.unique_opens], [1, 0]);
    assert.equal(m.byCategory.get(`k\u0000${utcDay(d1)}`)?.unique_opens, 1);
  });
});

// A second server process: a child node process with its own app and store on the same database.
const CHILD = `
import { readFileSync } from 'node:fs';
const [appUrl, storeUrl, location, batchesPath, nowIso] = process.argv.slice(2);
const { buildApp } = await import(appUrl);
const { createStore } = await import(storeUrl);
const store = await createStore(JSON.parse(location), { retentionMs: 7 * 86_400_000 });
const app = await buildApp({ store, now: () => new Date(nowIso) });
const auth = 'Basic ' + Buffer.from('r1:key-r1-secret').toString('base64');
const totals = { accepted: 0, duplicates: 0, rejected: 0, retries: 0 };
for (const batch of JSON.parse(readFileSync(batchesPath, 'utf8'))) {
  for (;;) {
    const res = await app.inject({ method: 'POST', url: '/webhooks/events?user=c1', headers: { authorization: auth, 'content-type': 'application/json' }, payload: JSON.stringify(batch) });
    if (res.statusCode === 503 && totals.retries < 20) { totals.retries++; continue; } // what a webhook sender does
    if (res.statusCode !== 200) { process.stderr.write(res.statusCode + ' ' + res.body); process.exit(2); }
    const b = res.json();
    totals.accepted += b.accepted; totals.duplicates += b.duplicates; totals.rejected += b.rejected.length;
    break;
  }
}
await app.close();
await store.close();
process.stdout.write(JSON.stringify(totals));
`;

function runChild(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: fileURLToPath(new URL('../../', import.meta.url)) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('idempotency across two server processes', () => {
  test('two processes delivering overlapping shuffled streams concurrently count every event once', async () => {
    const rng = new Rng(prng(77));
    const { events } = generate(rng, 250);
    const f = await fixture(NOW);
    try {
      const script = join(f.dir.path, 'child.mts');
      writeFileSync(script, CHILD);
      const args = (name: string): string[] => {
        const deliveries: Ev[] = [];
        for (const e of events) for (let k = copies(rng); k > 0; k--) deliveries.push(retryOf(rng, e));
        const file = join(f.dir.path, `${name}.json`);
        writeFileSync(file, JSON.stringify(batches(rng, rng.shuffle(deliveries), 20, 120)));
        return [
          script,
          new URL('../../src/app.ts', import.meta.url).href,
          new URL('../../src/store/index.ts', import.meta.url).href,
          JSON.stringify(f.location),
          file,
          NOW.toISOString(),
        ];
      };
      const [one, two] = await Promise.all([runChild(args('one')), runChild(args('two'))]);
      assert.equal(one.code, 0, one.stderr);
      assert.equal(two.code, 0, two.stderr);
      const t1 = JSON.parse(one.stdout) as Totals;
      const t2 = JSON.parse(two.stdout) as Totals;
      const want = modelIn(events, 'UTC');
      assert.equal(t1.rejected + t2.rejected, 0);
      assert.equal(t1.accepted + t2.accepted, want.distinct, 'each distinct event accepted by exactly one process');
      await assertStoredEquals(f, f.customer.id, want, 'two processes');
      await assertApiEquals(f, want, 'two processes');
    } finally {
      await f.close();
    }
  });
});
