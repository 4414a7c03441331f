// Week and month buckets of the v3 API (domain/buckets.ts): weeks start on Monday, months on
// the 1st, the first and last buckets are cut to the range and dated by their first day inside
// it. Checked across a year boundary, and across DST changes together with dayOf (an event's
// day in the customer's zone), where a fixed-offset shortcut would put events in the wrong week.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Aggregation, bucketsOf, monthStart, weekStart } from '../../src/domain/buckets.js';
import { dayOf, formatDay, parseDay } from '../../src/domain/calendar.js';
import { at } from '../helpers.js';

const d = (s: string): number => {
  const day = parseDay(s);
  assert.notEqual(day, null, s);
  return day as number;
};

/** The buckets of a range as [first, last] date pairs. */
const buckets = (from: string, to: string, by: Aggregation): Array<[string, string]> =>
  bucketsOf({ from: d(from), to: d(to) }, by).map((b) => [formatDay(b.from), formatDay(b.to)]);

/** The date of the bucket (within a wide range) holding the local day of an instant. */
function bucketOf(iso: string, zone: string, by: Aggregation): string {
  const day = dayOf(at(iso), zone);
  const all = bucketsOf({ from: day - 40, to: day + 40 }, by);
  const hit = all.find((b) => b.from <= day && day <= b.to);
  return formatDay((hit as { from: number }).from);
}

describe('week and month starts', () => {
  test('weeks start on Monday, whatever the weekday (epoch day 0 was a Thursday)', () => {
    assert.equal(formatDay(weekStart(d('2024-01-01'))), '2024-01-01'); // a Monday
    assert.equal(formatDay(weekStart(d('2023-12-31'))), '2023-12-25'); // Sunday → the Monday before
    assert.equal(formatDay(weekStart(d('2024-01-07'))), '2024-01-01');
    assert.equal(formatDay(weekStart(d('1970-01-01'))), '1969-12-29');
    assert.equal(formatDay(weekStart(d('1969-12-28'))), '1969-12-22'); // negative epoch days
  });

  test('months start on the 1st, in leap and common years', () => {
    assert.equal(formatDay(monthStart(d('2024-02-29'))), '2024-02-01');
    assert.equal(formatDay(monthStart(d('2023-12-31'))), '2023-12-01');
    assert.equal(formatDay(monthStart(d('2024-01-01'))), '2024-01-01');
    assert.equal(formatDay(monthStart(d('1969-12-31'))), '1969-12-01');
  });
});

describe('buckets across a year boundary', () => {
  test('weeks: the first bucket starts at start_date, the last ends at end_date', () => {
    assert.deepEqual(buckets('2023-12-27', '2024-01-09', 'week'), [
      ['2023-12-27', '2023-12-31'],
      ['2024-01-01', '2024-01-07'],
      ['2024-01-08', '2024-01-09'],
    ]);
  });

  test('a week may span two years and is dated by its Monday', () => {
    assert.deepEqual(buckets('2025-12-29', '2026-01-11', 'week'), [
      ['2025-12-29', '2026-01-04'],
      ['2026-01-05', '2026-01-11'],
    ]);
    assert.deepEqual(buckets('2020-12-30', '2021-01-02', 'week'), [['2020-12-30', '2021-01-02']]);
  });

  test('months: December rolls over into January, February has 29 days in 2024', () => {
    assert.deepEqual(buckets('2023-11-15', '2024-03-02', 'month'), [
      ['2023-11-15', '2023-11-30'],
      ['2023-12-01', '2023-12-31'],
      ['2024-01-01', '2024-01-31'],
      ['2024-02-01', '2024-02-29'],
      ['2024-03-01', '2024-03-02'],
    ]);
  });

  test('days: one bucket per day; a one-day range is one bucket of any kind', () => {
    assert.deepEqual(buckets('2023-12-31', '2024-01-02', 'day'), [
      ['2023-12-31', '2023-12-31'],
      ['2024-01-01', '2024-01-01'],
      ['2024-01-02', '2024-01-02'],
    ]);
    for (const by of ['day', 'week', 'month'] as const) assert.deepEqual(buckets('2024-01-31', '2024-01-31', by), [['2024-01-31', '2024-01-31']]);
  });

  test('buckets cover the range exactly once, in order, for every kind', () => {
    for (const by of ['day', 'week', 'month'] as const) {
      const list = bucketsOf({ from: d('2022-12-20'), to: d('2025-01-10') }, by);
      assert.equal(list[0]?.from, d('2022-12-20'));
      assert.equal(list.at(-1)?.to, d('2025-01-10'));
      for (let i = 1; i < list.length; i++) assert.equal(list[i]?.from, (list[i - 1]?.to as number) + 1, `${by} #${i}`);
    }
  });

  test('an event late on New Year\'s Eve UTC is already in January east of Greenwich', () => {
    // 2023-12-31 11:30 UTC is 2024-01-01 00:30 in Auckland (UTC+13 in summer).
    assert.equal(bucketOf('2023-12-31T11:30:00Z', 'Pacific/Auckland', 'month'), '2024-01-01');
    assert.equal(bucketOf('2023-12-31T11:30:00Z', 'Pacific/Auckland', 'week'), '2024-01-01');
    assert.equal(bucketOf('2023-12-31T11:30:00Z', 'UTC', 'month'), '2023-12-01');
    // 2024-01-01 03:00 UTC is still 2023-12-31 in New York.
    assert.equal(bucketOf('2024-01-01T03:00:00Z', 'America/New_York', 'month'), '2023-12-01');
    assert.equal(bucketOf('2024-01-01T03:00:00Z', 'America/New_York', 'week'), '2023-12-25');
  });
});

describe('buckets across a DST change', () => {
  test('spring forward (Berlin, Sunday 2024-03-31): the short week still ends at local midnight', () => {
    // 21:59:59Z is 23:59:59 CEST on Sunday; 22:30Z is 00:30 CEST on Monday. A fixed UTC+1
    // offset would put the second one on Sunday, in the week before.
    assert.equal(bucketOf('2024-03-31T21:59:59Z', 'Europe/Berlin', 'week'), '2024-03-25');
    assert.equal(bucketOf('2024-03-31T22:30:00Z', 'Europe/Berlin', 'week'), '2024-04-01');
    assert.equal(bucketOf('2024-03-25T00:30:00Z', 'Europe/Berlin', 'week'), '2024-03-25'); // still CET
  });

  test('the DST change on the last day of a month: London, 2024-03-31', () => {
    assert.equal(bucketOf('2024-03-31T22:59:00Z', 'Europe/London', 'month'), '2024-03-01'); // 23:59 BST
    assert.equal(bucketOf('2024-03-31T23:30:00Z', 'Europe/London', 'month'), '2024-04-01'); // 00:30 BST
    assert.equal(bucketOf('2024-03-31T23:30:00Z', 'UTC', 'month'), '2024-03-01');
  });

  test('fall back (New York, Sunday 2024-11-03): the long week keeps its last hour', () => {
    // 04:30Z on Monday is 23:30 EST on Sunday, after the clocks went back; with the summer
    // offset (UTC−4) it would be Monday 00:30 and land in the next week.
    assert.equal(bucketOf('2024-11-04T04:30:00Z', 'America/New_York', 'week'), '2024-10-28');
    assert.equal(bucketOf('2024-11-04T05:30:00Z', 'America/New_York', 'week'), '2024-11-04');
    assert.equal(bucketOf('2024-11-03T05:30:00Z', 'America/New_York', 'week'), '2024-10-28'); // 01:30 EDT, the repeated hour
    assert.equal(bucketOf('2024-11-03T06:30:00Z', 'America/New_York', 'week'), '2024-10-28'); // 01:30 EST, the same hour again
  });

  test('a week spanning a DST change has seven days, like any other', () => {
    for (const [from, to] of [
      ['2024-03-25', '2024-03-31'],
      ['2024-10-28', '2024-11-03'],
    ] as const) {
      const [only] = bucketsOf({ from: d(from), to: d(to) }, 'week');
      assert.deepEqual(only && [formatDay(only.from), formatDay(only.to)], [from, to]);
      assert.equal((only?.to as number) - (only?.from as number) + 1, 7);
    }
  });
});
