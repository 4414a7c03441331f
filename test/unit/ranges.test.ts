// The date rules of SPEC section 3: days / start_date / end_date → one range of days.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDay, parseDay } from '../../src/domain/calendar.js';
import { ApiError } from '../../src/domain/errors.js';
import { ParamErrors, collectParams } from '../../src/domain/params.js';
import { MAX_RANGE_DAYS, daysOf, parseRange } from '../../src/domain/ranges.js';

function day(text: string): number {
  const d = parseDay(text);
  if (d === null) throw new Error(`bad test date ${text}`);
  return d;
}

const TODAY = day('2021-06-15');

type Outcome = { from: string; to: string } | { errors: string[] };

/** Runs parseRange on query-string-like input; dates come back as text for readable failures. */
function range(query: Record<string, string | string[]>, today = TODAY): Outcome {
  const errors = new ParamErrors();
  const r = parseRange(collectParams(query), today, errors);
  try {
    errors.throwIfAny();
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.status, 400);
    assert.equal(r, undefined, 'no range together with errors');
    return { errors: e.messages };
  }
  assert.ok(r, 'a range when there are no errors');
  return { from: formatDay(r.from), to: formatDay(r.to) };
}

const DAYS_ERROR = 'error in days: must be an integer from 1 to 1095';
const START_FORMAT = 'error in start_date: must be a date in YYYY-MM-DD format';
const END_FORMAT = 'error in end_date: must be a date in YYYY-MM-DD format';

describe('no date parameter', () => {
  test('means today', () => {
    assert.deepEqual(range({}), { from: '2021-06-15', to: '2021-06-15' });
  });

  test('other parameters do not change that', () => {
    assert.deepEqual(range({ user: 'c1', category: 'a' }), { from: '2021-06-15', to: '2021-06-15' });
  });
});

describe('days=N', () => {
  test('covers today−(N−1) … today', () => {
    assert.deepEqual(range({ days: '1' }), { from: '2021-06-15', to: '2021-06-15' });
    assert.deepEqual(range({ days: '2' }), { from: '2021-06-14', to: '2021-06-15' });
    assert.deepEqual(range({ days: '15' }), { from: '2021-06-01', to: '2021-06-15' });
    assert.deepEqual(range({ days: '1095' }), { from: formatDay(TODAY - 1094), to: '2021-06-15' });
  });

  test('crosses a leap day', () => {
    assert.deepEqual(range({ days: '3' }, day('2024-03-01')), { from: '2024-02-28', to: '2024-03-01' });
  });

  test('accepts only plain decimal integers from 1 to 1095', () => {
    const bad = ['0', '1096', '99999', '', '-1', '+5', '1e2', '5.0', '5.', '0x10', ' 5', '5 ', 'five', '５', 'Infinity', 'NaN', '1_000'];
    for (const days of bad) assert.deepEqual(range({ days }), { errors: [DAYS_ERROR] }, JSON.stringify(days));
  });

  test('cannot be combined with start_date or end_date', () => {
    const msg = 'error in days: cannot be combined with start_date or end_date';
    assert.deepEqual(range({ days: '5', start_date: '2021-06-01' }), { errors: [msg] });
    assert.deepEqual(range({ days: '5', end_date: '2021-06-10' }), { errors: [msg] });
    assert.deepEqual(range({ days: '5', start_date: '2021-06-01', end_date: '2021-06-10' }), { errors: [msg] });
  });

  test('given twice: the same value is fine, different values are an error', () => {
    assert.deepEqual(range({ days: ['3', '3'] }), { from: '2021-06-13', to: '2021-06-15' });
    assert.deepEqual(range({ days: ['3', '4'] }), { errors: ['error in days: must be given only once'] });
  });
});

describe('start_date / end_date', () => {
  test('a closed range of real dates', () => {
    assert.deepEqual(range({ start_date: '2021-06-01', end_date: '2021-06-10' }), { from: '2021-06-01', to: '2021-06-10' });
  });

  test('end_date defaults to today', () => {
    assert.deepEqual(range({ start_date: '2021-06-01' }), { from: '2021-06-01', to: '2021-06-15' });
    assert.deepEqual(range({ start_date: '2021-06-15' }), { from: '2021-06-15', to: '2021-06-15' });
  });

  test('equal dates mean one day', () => {
    assert.deepEqual(range({ start_date: '2021-06-10', end_date: '2021-06-10' }), { from: '2021-06-10', to: '2021-06-10' });
  });

  test('end_date may be today but not after it', () => {
    assert.deepEqual(range({ start_date: '2021-06-01', end_date: '2021-06-15' }), { from: '2021-06-01', to: '2021-06-15' });
    assert.deepEqual(range({ start_date: '2021-06-01', end_date: '2021-06-16' }), {
      errors: ['error in end_date: must not be after today (2021-06-15)'],
    });
  });

  test('start_date after end_date is an error', () => {
    assert.deepEqual(range({ start_date: '2021-06-11', end_date: '2021-06-10' }), {
      errors: ['error in start_date: must not be after end_date'],
    });
  });

  test('start_date after today, with end_date defaulting to today, is an error in start_date', () => {
    const r = range({ start_date: '2021-06-16' });
    assert.ok('errors' in r);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0], 'error in start_date: must not be after today (2021-06-15)');
  });

  test('the range covers at most 1095 days', () => {
    const to = day('2021-06-10');
    assert.deepEqual(range({ start_date: formatDay(to - 1094), end_date: '2021-06-10' }), { from: formatDay(to - 1094), to: '2021-06-10' });
    assert.deepEqual(range({ start_date: formatDay(to - 1095), end_date: '2021-06-10' }), {
      errors: ['error in start_date: the range may cover at most 1095 days'],
    });
    assert.deepEqual(range({ start_date: '2000-01-01' }), { errors: ['error in start_date: the range may cover at most 1095 days'] });
    assert.equal(MAX_RANGE_DAYS, 1095);
  });

  test('end_date without start_date is an error', () => {
    assert.deepEqual(range({ end_date: '2021-06-10' }), { errors: ['error in end_date: requires start_date'] });
  });

  test('dates must be real and written YYYY-MM-DD', () => {
    const bad = ['2021-6-01', '2021-06-1', '2021-02-29', '2021-04-31', '2021-13-01', '1900-02-29', '2021-06-01T00:00', ' 2021-06-01', '２０２１-06-01', '', '06/01/2021', '2021-06-01Z'];
    for (const text of bad) {
      assert.deepEqual(range({ start_date: text, end_date: '2021-06-10' }), { errors: [START_FORMAT] }, `start_date ${JSON.stringify(text)}`);
      assert.deepEqual(range({ start_date: '2021-06-01', end_date: text }), { errors: [END_FORMAT] }, `end_date ${JSON.stringify(text)}`);
    }
  });

  test('leap days are real dates', () => {
    assert.deepEqual(range({ start_date: '2024-02-29', end_date: '2024-02-29' }, day('2024-03-01')), { from: '2024-02-29', to: '2024-02-29' });
    assert.deepEqual(range({ start_date: '2000-02-29', end_date: '2000-03-01' }, day('2000-03-01')), { from: '2000-02-29', to: '2000-03-01' });
  });

  test('both dates malformed: both are reported', () => {
    assert.deepEqual(range({ start_date: 'x', end_date: 'y' }), { errors: [START_FORMAT, END_FORMAT] });
  });

  test('a date given twice with different values is an error; the same value twice is fine', () => {
    assert.deepEqual(range({ start_date: ['2021-06-01', '2021-06-02'] }), { errors: ['error in start_date: must be given only once'] });
    assert.deepEqual(range({ start_date: '2021-06-01', end_date: ['2021-06-09', '2021-06-10'] }), {
      errors: ['error in end_date: must be given only once'],
    });
    assert.deepEqual(range({ start_date: ['2021-06-01', '2021-06-01'] }), { from: '2021-06-01', to: '2021-06-15' });
  });

  test('query and form body are merged: the same date in both is fine, different ones are not', () => {
    const run = (query: Record<string, string>, body: Record<string, string>) => {
      const errors = new ParamErrors();
      const r = parseRange(collectParams(query, body), TODAY, errors);
      return { r, empty: errors.empty };
    };
    const same = run({ start_date: '2021-06-01' }, { start_date: '2021-06-01', end_date: '2021-06-03' });
    assert.deepEqual(same, { r: { from: day('2021-06-01'), to: day('2021-06-03') }, empty: true });
    const different = run({ start_date: '2021-06-01' }, { start_date: '2021-06-02' });
    assert.deepEqual(different, { r: undefined, empty: false });
  });
});

describe('daysOf', () => {
  test('yields every day of the range once, ascending', () => {
    assert.deepEqual([...daysOf({ from: day('2024-02-27'), to: day('2024-03-01') })].map(formatDay), ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    assert.deepEqual([...daysOf({ from: TODAY, to: TODAY })], [TODAY]);
    assert.equal([...daysOf({ from: TODAY - 1094, to: TODAY })].length, 1095);
  });
});
