// The arithmetic of one ingest batch (SPEC section 5): per-day and per-category increments, and
// unique opens/clicks counted on the day of the earliest one whatever the arrival order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDay } from '../../src/domain/calendar.js';
import { type BatchPlan, type Marker, markerKey, planBatch } from '../../src/domain/batch.js';
import { type NormalizedEvent, validateEvent } from '../../src/domain/events.js';
import type { Metric, MetricRow } from '../../src/domain/metrics.js';

const at = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
const D1 = parseDay('2021-06-14') as number;
const D2 = parseDay('2021-06-15') as number;
const D3 = parseDay('2021-06-16') as number;

function ev(raw: Record<string, unknown>, timeZone = 'UTC'): NormalizedEvent {
  const v = validateEvent({ email: 'alice@example.com', sg_message_id: 'msg-1', ...raw }, timeZone);
  if (!v.ok) throw new Error(v.error);
  return v.event;
}
const open = (iso: string, extra: Record<string, unknown> = {}) => ev({ event: 'open', timestamp: at(iso), ...extra });
const click = (iso: string, extra: Record<string, unknown> = {}) => ev({ event: 'click', timestamp: at(iso), url: 'https://x.test/', ...extra });

const value = (rows: ReadonlyMap<number, MetricRow> | undefined, day: number, m: Metric): number => rows?.get(day)?.[m] ?? 0;
const daily = (p: BatchPlan, day: number, m: Metric): number => value(p.tally.daily, day, m);
const inCategory = (p: BatchPlan, category: string, day: number, m: Metric): number => value(p.tally.byCategory.get(category), day, m);
/** Sum of a metric over every day of the plan: what the batch adds in total. */
const total = (rows: ReadonlyMap<number, MetricRow> | undefined, m: Metric): number => [...(rows?.values() ?? [])].reduce((n, r) => n + r[m], 0);

const keyOf = (e: NormalizedEvent): string => {
  assert.ok(e.unique);
  return markerKey(e.unique.kind, e.unique.message);
};

describe('plain counts', () => {
  test('each event bumps its own day, once in the totals and once per distinct category', () => {
    const p = planBatch(
      [
        ev({ event: 'processed', timestamp: at('2021-06-14T10:00:00Z'), category: ['a', 'b', 'a'] }),
        ev({ event: 'dropped', timestamp: at('2021-06-15T10:00:00Z'), reason: 'Invalid', category: 'a' }),
        ev({ event: 'delivered', timestamp: at('2021-06-15T11:00:00Z') }),
      ],
      new Map(),
    );
    assert.equal(daily(p, D1, 'requests'), 1);
    assert.equal(daily(p, D1, 'processed'), 1);
    assert.equal(daily(p, D2, 'requests'), 1);
    assert.equal(daily(p, D2, 'invalid_email'), 1);
    assert.equal(daily(p, D2, 'delivered'), 1);
    assert.equal(daily(p, D2, 'processed'), 0);
    assert.equal(inCategory(p, 'a', D1, 'requests'), 1);
    assert.equal(inCategory(p, 'b', D1, 'requests'), 1);
    assert.equal(inCategory(p, 'a', D2, 'requests'), 1);
    assert.equal(inCategory(p, 'b', D2, 'requests'), 0);
    assert.equal(inCategory(p, 'a', D2, 'delivered'), 0, 'an uncategorised event bumps no category');
    assert.deepEqual([...p.tally.byCategory.keys()].sort(), ['a', 'b']);
  });

  test('events are bucketed by the day of their timestamp in the customer time zone', () => {
    const p = planBatch([ev({ event: 'processed', timestamp: at('2021-06-14T18:30:00Z') }, 'Asia/Kolkata')], new Map());
    assert.equal(daily(p, D2, 'requests'), 1);
    assert.equal(daily(p, D1, 'requests'), 0);
  });

  test('every category named by an event is collected, even when it bumps no metric or no unique', () => {
    const p = planBatch(
      [
        ev({ event: 'group_resubscribe', timestamp: at('2021-06-15T10:00:00Z'), category: ['resub'] }),
        open('2021-06-15T10:00:00Z', { category: 'first' }),
        open('2021-06-15T11:00:00Z', { category: ['later', 'first'] }),
      ],
      new Map(),
    );
    assert.deepEqual([...p.categories].sort(), ['first', 'later', 'resub']);
    assert.equal(p.tally.byCategory.has('resub'), false, 'group_resubscribe changes no metric');
    assert.equal(total(p.tally.daily, 'opens'), 2);
  });
});

describe('unique opens', () => {
  test('repeated opens of one message count once, on the day of the first', () => {
    const p = planBatch([open('2021-06-14T09:00:00Z'), open('2021-06-14T10:00:00Z'), open('2021-06-15T10:00:00Z')], new Map());
    assert.equal(daily(p, D1, 'opens'), 2);
    assert.equal(daily(p, D2, 'opens'), 1);
    assert.equal(daily(p, D1, 'unique_opens'), 1);
    assert.equal(total(p.tally.daily, 'unique_opens'), 1);
  });

  test('opens of different messages each count', () => {
    const p = planBatch([open('2021-06-14T09:00:00Z'), open('2021-06-14T09:00:00Z', { sg_message_id: 'msg-2' })], new Map());
    assert.equal(daily(p, D1, 'unique_opens'), 2);
    assert.equal(p.markers.size, 2);
  });

  test('messages without sg_message_id are told apart by email + smtp-id', () => {
    const noId = (iso: string, email: string, smtp: string) => ev({ event: 'open', timestamp: at(iso), sg_message_id: undefined, email, 'smtp-id': smtp });
    const p = planBatch(
      [
        noId('2021-06-14T09:00:00Z', 'a@x.test', '<1@h>'),
        noId('2021-06-14T10:00:00Z', 'a@x.test', '<1@h>'),
        noId('2021-06-14T11:00:00Z', 'a@x.test', '<2@h>'),
        noId('2021-06-14T12:00:00Z', 'b@x.test', '<1@h>'),
      ],
      new Map(),
    );
    assert.equal(daily(p, D1, 'unique_opens'), 3);
  });

  test('an earlier open arriving later moves the count to its day and categories', () => {
    const later = open('2021-06-15T10:00:00Z', { category: 'B' });
    const earlier = open('2021-06-14T10:00:00Z', { category: 'A' });
    const p = planBatch([later, earlier], new Map());
    assert.equal(daily(p, D1, 'unique_opens'), 1);
    assert.equal(daily(p, D2, 'unique_opens'), 0);
    assert.equal(inCategory(p, 'A', D1, 'unique_opens'), 1);
    assert.equal(inCategory(p, 'B', D2, 'unique_opens'), 0);
    assert.equal(daily(p, D1, 'opens') + daily(p, D2, 'opens'), 2);
    assert.deepEqual(p.markers.get(keyOf(earlier)), { timestamp: earlier.timestamp, day: D1, categories: ['A'] });
    assert.equal(p.markers.size, 1);
  });

  test('the result does not depend on arrival order', () => {
    const events = [open('2021-06-16T08:00:00Z', { category: 'C' }), open('2021-06-14T23:00:00Z', { category: 'A' }), open('2021-06-15T12:00:00Z', { category: 'B' })];
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [2, 1, 0],
      [2, 0, 1],
      [1, 2, 0],
    ];
    for (const order of orders) {
      const p = planBatch(order.map((i) => events[i] as NormalizedEvent), new Map());
      const label = order.join(',');
      assert.deepEqual([D1, D2, D3].map((d) => daily(p, d, 'unique_opens')), [1, 0, 0], label);
      assert.equal(total(p.tally.byCategory.get('A'), 'unique_opens'), 1, label);
      assert.equal(total(p.tally.byCategory.get('B'), 'unique_opens'), 0, label);
      assert.equal(total(p.tally.byCategory.get('C'), 'unique_opens'), 0, label);
      assert.equal(p.markers.get(keyOf(events[1] as NormalizedEvent))?.day, D1, label);
    }
  });

  test('an open at the same second as the first does not count again', () => {
    const p = planBatch([open('2021-06-14T10:00:00Z'), open('2021-06-14T10:00:00Z', { email: 'fwd@example.com' })], new Map());
    assert.equal(daily(p, D1, 'unique_opens'), 1);
    assert.equal(daily(p, D1, 'opens'), 2);
  });

  test('a stored marker that is earlier suppresses the count and is not rewritten', () => {
    const e = open('2021-06-15T10:00:00Z', { category: 'B' });
    const stored: Marker = { timestamp: at('2021-06-14T10:00:00Z'), day: D1, categories: ['A'] };
    const p = planBatch([e], new Map([[keyOf(e), stored]]));
    assert.equal(total(p.tally.daily, 'unique_opens'), 0);
    assert.equal(total(p.tally.byCategory.get('A'), 'unique_opens'), 0);
    assert.equal(total(p.tally.byCategory.get('B'), 'unique_opens'), 0);
    assert.equal(daily(p, D2, 'opens'), 1);
    assert.equal(p.markers.size, 0);
  });

  test('a stored marker at the same second also suppresses the count', () => {
    const e = open('2021-06-14T10:00:00Z');
    const p = planBatch([e], new Map([[keyOf(e), { timestamp: e.timestamp, day: D1, categories: [] }]]));
    assert.equal(total(p.tally.daily, 'unique_opens'), 0);
    assert.equal(p.markers.size, 0);
  });

  test('a stored marker that is later is moved: its day and categories lose the count', () => {
    const e = open('2021-06-14T10:00:00Z', { category: 'A' });
    const stored: Marker = { timestamp: at('2021-06-16T10:00:00Z'), day: D3, categories: ['C', 'A'] };
    const p = planBatch([e], new Map([[keyOf(e), stored]]));
    assert.equal(daily(p, D1, 'unique_opens'), 1);
    assert.equal(daily(p, D3, 'unique_opens'), -1);
    assert.equal(inCategory(p, 'A', D1, 'unique_opens'), 1);
    assert.equal(inCategory(p, 'A', D3, 'unique_opens'), -1);
    assert.equal(inCategory(p, 'C', D3, 'unique_opens'), -1);
    assert.equal(total(p.tally.daily, 'unique_opens'), 0, 'the message still counts once overall');
    assert.deepEqual(p.markers.get(keyOf(e)), { timestamp: e.timestamp, day: D1, categories: ['A'] });
  });

  test('markers of other messages do not interfere', () => {
    const e = open('2021-06-15T10:00:00Z');
    const other = open('2021-06-14T10:00:00Z', { sg_message_id: 'msg-2' });
    const p = planBatch([e], new Map([[keyOf(other), { timestamp: other.timestamp, day: D1, categories: [] }]]));
    assert.equal(daily(p, D2, 'unique_opens'), 1);
  });
});

describe('unique clicks', () => {
  test('counted on the day of the earliest click, whatever the arrival order', () => {
    const later = click('2021-06-15T10:00:00Z', { category: 'B', url: 'https://x.test/b' });
    const earlier = click('2021-06-14T10:00:00Z', { category: 'A', url: 'https://x.test/a' });
    const p = planBatch([later, earlier, click('2021-06-15T11:00:00Z')], new Map());
    assert.equal(daily(p, D1, 'clicks'), 1);
    assert.equal(daily(p, D2, 'clicks'), 2);
    assert.equal(daily(p, D1, 'unique_clicks'), 1);
    assert.equal(daily(p, D2, 'unique_clicks'), 0);
    assert.equal(inCategory(p, 'A', D1, 'unique_clicks'), 1);
    assert.equal(inCategory(p, 'B', D2, 'unique_clicks'), 0);
    assert.equal(p.markers.get(keyOf(earlier))?.timestamp, earlier.timestamp);
  });

  test('a stored earlier click marker suppresses the count', () => {
    const e = click('2021-06-15T10:00:00Z');
    const p = planBatch([e], new Map([[keyOf(e), { timestamp: at('2021-06-14T10:00:00Z'), day: D1, categories: [] }]]));
    assert.equal(total(p.tally.daily, 'unique_clicks'), 0);
    assert.equal(daily(p, D2, 'clicks'), 1);
  });

  test('opens and clicks of one message are counted independently', () => {
    const o = open('2021-06-15T10:00:00Z');
    const c = click('2021-06-15T10:05:00Z');
    const p = planBatch([o, c], new Map([[keyOf(o), { timestamp: at('2021-06-14T10:00:00Z'), day: D1, categories: [] }]]));
    assert.equal(total(p.tally.daily, 'unique_opens'), 0, 'the open marker exists already');
    assert.equal(daily(p, D2, 'unique_clicks'), 1, 'the click marker does not');
    assert.notEqual(keyOf(o), keyOf(c));
    assert.deepEqual([...p.markers.keys()], [keyOf(c)]);
  });
});

describe('markerKey', () => {
  test('names the kind and the message', () => {
    const m = Buffer.from('00ff', 'hex');
    assert.equal(markerKey('open', m), 'open:00ff');
    assert.equal(markerKey('click', m), 'click:00ff');
  });
});
