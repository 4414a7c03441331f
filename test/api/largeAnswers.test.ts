// Large legacy answers are read and rendered in slices and streamed (issue 10, item 4): the
// streamed body must be exactly the answer — every day once, categories in the order
// requested, zero-filled — in both formats, and small answers still go out in one piece.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { SLICE_NAMES, SLICE_ROWS } from '../../src/services/stats.js';
import { type Fixture, at, fixture, postEvents, stats } from '../helpers.js';

const NOW = new Date('2024-03-30T12:00:00Z');
const DAYS = 30; // 2024-03-01 … 2024-03-30
const CATEGORIES = Array.from({ length: 100 }, (_, k) => `cat-${String(k).padStart(3, '0')}`);
const EXTRA = Array.from({ length: SLICE_NAMES + 500 }, (_, k) => `name-${k}`);
/** cat-k has one request on March d when k + d is a multiple of 3, none otherwise. */
const busy = (k: number, d: number): boolean => (k + d) % 3 === 0;

describe('large legacy answers, sliced and streamed', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
    const events: object[] = [];
    CATEGORIES.forEach((category, k) => {
      for (let d = 1; d <= DAYS; d++) {
        const day = `2024-03-${String(d).padStart(2, '0')}`;
        if (busy(k, d)) events.push({ event: 'processed', timestamp: at(`${day}T10:00:00Z`), email: 'a@x', sg_message_id: `${category}.${d}`, category });
      }
    });
    for (let i = 0; i < EXTRA.length; i += 10) {
      events.push({ event: 'delivered', timestamp: at('2024-03-01T10:00:00Z'), email: 'b@x', sg_message_id: `extra.${i}`, category: EXTRA.slice(i, i + 10) });
    }
    const res = await postEvents(f.app, events);
    assert.equal(res.body.accepted, events.length);
  });
  after(() => f.close());

  const requested = [...CATEGORIES].reverse(); // answers follow the order requested
  const expected = (): Array<[string, string, number]> => {
    const rows: Array<[string, string, number]> = [];
    for (let d = 1; d <= DAYS; d++) {
      for (const c of requested) rows.push([`2024-03-${String(d).padStart(2, '0')}`, c, busy(Number(c.slice(4)), d) ? 1 : 0]);
    }
    return rows;
  };

  test(`${CATEGORIES.length} categories × ${DAYS} days and ${SLICE_NAMES}+ names: streamed or paged, complete, in order; small answers whole`, async () => {
    assert.ok(CATEGORIES.length * DAYS > 10 * SLICE_ROWS, 'the answer spans many slices');
    const json = await stats(f.app, 'json', { category: requested, days: String(DAYS) });
    assert.equal(json.statusCode, 200);
    assert.equal(json.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(json.headers['content-length'], undefined, 'streamed');
    const rows = json.json() as Array<{ date: string; category: string; requests: number }>;
    assert.deepEqual(rows.map((r) => [r.date, r.category, r.requests]), expected());

    const xml = await stats(f.app, 'xml', { category: requested, days: String(DAYS) });
    assert.ok(xml.body.startsWith('<?xml version="1.0" encoding="UTF-8"?><stats><day><date>2024-03-01</date>'));
    const parsed = new XMLParser({ parseTagValue: false }).parse(xml.body) as { stats: { day: Array<Record<string, string>> } };
    assert.deepEqual(parsed.stats.day.map((r) => [r.date, r.category, Number(r.requests)]), expected());

    // list=true with more than SLICE_NAMES names: every name once, in binary order.
    const all = [...CATEGORIES, ...EXTRA].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const names = (await stats(f.app, 'json', { list: 'true' })).json() as Array<{ category: string }>;
    assert.deepEqual(names.map((c) => c.category), all);
    const list = (await stats(f.app, 'xml', { list: 'true' })).body;
    const parsedList = new XMLParser({ parseTagValue: false }).parse(list) as { categories: { category: string[] } };
    assert.deepEqual(parsedList.categories.category, all);

    // Small answers go out in one piece, with a Content-Length.
    const res = await stats(f.app, 'json', { category: 'cat-002', days: '1' });
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(res.body)));
    assert.deepEqual(res.json(), [{ date: '2024-03-30', category: 'cat-002', requests: 0, bounces: 0, clicks: 0, opens: 0, spamreports: 0 }]);
    const none = await stats(f.app, 'xml', { category: 'never-seen', days: '3' });
    assert.equal(none.body, '<?xml version="1.0" encoding="UTF-8"?><stats/>');
  });
});
