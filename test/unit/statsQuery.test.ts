// The shapes of a `method=stats` call (SPEC section 3): daily, aggregate, list and category
// statistics, with parameters normalised by collectParams as the HTTP layer does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDay, parseDay } from '../../src/domain/calendar.js';
import { ApiError } from '../../src/domain/errors.js';
import { collectParams } from '../../src/domain/params.js';
import { type StatsQuery, parseStatsQuery } from '../../src/domain/statsQuery.js';

const TODAY = parseDay('2021-06-15') as number;

type Source = Record<string, string | string[]>;

const parse = (...sources: Source[]): StatsQuery => parseStatsQuery(collectParams(...sources), TODAY);

/** The messages of the ApiError (status 400) that parsing throws. */
function errorsOf(...sources: Source[]): string[] {
  try {
    parse(...sources);
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected an ApiError, got ${String(e)}`);
    assert.equal(e.status, 400);
    assert.equal(e.kind, 'bad_request');
    return e.messages;
  }
  assert.fail('expected an ApiError');
}

/** A query with its days as text, for readable comparisons. */
function shown(q: StatsQuery): Record<string, unknown> {
  if (q.kind === 'aggregate' || q.kind === 'list' || q.kind === 'categoryAggregate') return { ...q };
  const { from, to, ...rest } = q;
  return { ...rest, from: formatDay(from), to: formatDay(to) };
}

describe('daily statistics', () => {
  test('no date parameter means today', () => {
    assert.deepEqual(shown(parse({ user: 'c1' })), { kind: 'daily', from: '2021-06-15', to: '2021-06-15' });
  });

  test('days, and start_date with or without end_date', () => {
    assert.deepEqual(shown(parse({ days: '7' })), { kind: 'daily', from: '2021-06-09', to: '2021-06-15' });
    assert.deepEqual(shown(parse({ start_date: '2021-06-01', end_date: '2021-06-03' })), { kind: 'daily', from: '2021-06-01', to: '2021-06-03' });
    assert.deepEqual(shown(parse({ start_date: '2021-06-13' })), { kind: 'daily', from: '2021-06-13', to: '2021-06-15' });
  });

  test('date errors surface with the exact legacy wording', () => {
    assert.deepEqual(errorsOf({ start_date: '2021-6-01' }), ['error in start_date: must be a date in YYYY-MM-DD format']);
    assert.deepEqual(errorsOf({ days: '0' }), ['error in days: must be an integer from 1 to 1095']);
    assert.deepEqual(errorsOf({ days: '1096' }), ['error in days: must be an integer from 1 to 1095']);
    assert.deepEqual(errorsOf({ end_date: '2021-06-01' }), ['error in end_date: requires start_date']);
    assert.deepEqual(errorsOf({ days: '3', start_date: '2021-06-01' }), ['error in days: cannot be combined with start_date or end_date']);
  });

  test('aggregate=0 / aggregate=false mean "not an aggregate call"', () => {
    for (const aggregate of ['0', 'false']) {
      assert.deepEqual(shown(parse({ aggregate })), { kind: 'daily', from: '2021-06-15', to: '2021-06-15' }, aggregate);
      assert.deepEqual(shown(parse({ aggregate, days: '2' })), { kind: 'daily', from: '2021-06-14', to: '2021-06-15' }, aggregate);
    }
  });
});

describe('aggregate', () => {
  test('accepts 1 and true; all time up to and including today', () => {
    assert.deepEqual(parse({ aggregate: '1' }), { kind: 'aggregate', through: TODAY });
    assert.deepEqual(parse({ aggregate: 'true' }), { kind: 'aggregate', through: TODAY });
  });

  test('rejects other values', () => {
    for (const aggregate of ['2', 'yes', '', 'on', ' 1']) {
      assert.deepEqual(errorsOf({ aggregate }), ['error in aggregate: must be 1 or true (0 or false for a non-aggregate call)'], JSON.stringify(aggregate));
    }
  });

  test('date parameters are not allowed with it', () => {
    assert.deepEqual(errorsOf({ aggregate: '1', days: '3' }), ['error in days: is not allowed with aggregate']);
    assert.deepEqual(errorsOf({ aggregate: '1', start_date: '2021-06-01' }), ['error in start_date: is not allowed with aggregate']);
    assert.deepEqual(errorsOf({ aggregate: '1', start_date: '2021-06-01', end_date: '2021-06-02' }), [
      'error in start_date: is not allowed with aggregate',
      'error in end_date: is not allowed with aggregate',
    ]);
  });

  test('given twice: same value is fine, different values are an error', () => {
    assert.deepEqual(parse({ aggregate: ['1', '1'] }), { kind: 'aggregate', through: TODAY });
    assert.deepEqual(parse({ aggregate: '1' }, { aggregate: '1' }), { kind: 'aggregate', through: TODAY });
    assert.deepEqual(errorsOf({ aggregate: ['1', '0'] }), ['error in aggregate: must be given only once']);
  });
});

describe('list', () => {
  test('accepts true and 1', () => {
    assert.deepEqual(parse({ list: 'true' }), { kind: 'list' });
    assert.deepEqual(parse({ list: '1' }), { kind: 'list' });
  });

  test('rejects other values', () => {
    for (const list of ['yes', '2', '']) assert.deepEqual(errorsOf({ list }), ['error in list: must be true or 1'], JSON.stringify(list));
  });

  test('date parameters are not allowed with it', () => {
    assert.deepEqual(errorsOf({ list: 'true', days: '3' }), ['error in days: is not allowed with list']);
    assert.deepEqual(errorsOf({ list: 'true', end_date: '2021-06-01' }), ['error in end_date: is not allowed with list']);
  });

  test('aggregate=0 alongside it is not a combination', () => {
    assert.deepEqual(parse({ list: 'true', aggregate: '0' }), { kind: 'list' });
  });

  test('invalid aggregate and list values are both reported', () => {
    assert.deepEqual(errorsOf({ aggregate: 'maybe', list: 'nope' }), [
      'error in aggregate: must be 1 or true (0 or false for a non-aggregate call)',
      'error in list: must be true or 1',
    ]);
  });
});

describe('combining aggregate, list and category', () => {
  const cases: Array<{ params: Source; message: string }> = [
    { params: { aggregate: '1', list: 'true' }, message: 'error in list: cannot be combined with aggregate' },
    { params: { list: '1', category: 'a' }, message: 'error in category: cannot be combined with list' },
    { params: { aggregate: '1', list: '1', category: ['a', 'b'] }, message: 'error in list: cannot be combined with aggregate' },
  ];
  for (const { params, message } of cases) {
    test(`${JSON.stringify(params)} is an error`, () => {
      assert.deepEqual(errorsOf(params), [message]);
    });
  }
});

describe('aggregate with categories (issue 11: per-category all-time totals)', () => {
  test('one shape of its own, categories distinct in the order requested, category[] too', () => {
    assert.deepEqual(parse({ aggregate: 'true', category: 'a' }), { kind: 'categoryAggregate', categories: ['a'], through: TODAY });
    assert.deepEqual(parse({ aggregate: '1', 'category[]': ['b', 'a', 'b'] }), { kind: 'categoryAggregate', categories: ['b', 'a'], through: TODAY });
    assert.deepEqual(parse({ aggregate: '1' }, { category: ['c', 'd'] }), { kind: 'categoryAggregate', categories: ['c', 'd'], through: TODAY });
  });

  test('aggregate=0 with categories is still category statistics', () => {
    assert.equal(parse({ aggregate: '0', category: 'a' }).kind, 'category');
  });

  test('dates are still not allowed, and at most 100 categories', () => {
    assert.deepEqual(errorsOf({ aggregate: '1', category: 'a', days: '3' }), ['error in days: is not allowed with aggregate']);
    const many = Array.from({ length: 101 }, (_, i) => `c${i}`);
    assert.deepEqual(errorsOf({ aggregate: '1', category: many }), ['error in category: at most 100 categories per request']);
  });
});

describe('category statistics', () => {
  test('a single category, with the daily date parameters', () => {
    assert.deepEqual(shown(parse({ category: 'news' })), { kind: 'category', categories: ['news'], from: '2021-06-15', to: '2021-06-15' });
    assert.deepEqual(shown(parse({ category: 'news', days: '2' })), { kind: 'category', categories: ['news'], from: '2021-06-14', to: '2021-06-15' });
    assert.deepEqual(shown(parse({ category: 'news', start_date: '2021-06-01', end_date: '2021-06-02' })), {
      kind: 'category',
      categories: ['news'],
      from: '2021-06-01',
      to: '2021-06-02',
    });
  });

  test('as repeated keys, as category[], or mixed, in the order requested', () => {
    const expected = ['b', 'a', 'c'];
    const of = (q: StatsQuery): string[] => (q.kind === 'category' ? q.categories : []);
    assert.deepEqual(of(parse({ category: ['b', 'a', 'c'] })), expected);
    assert.deepEqual(of(parse({ 'category[]': ['b', 'a', 'c'] })), expected);
    assert.deepEqual(of(parse({ category: 'b', 'category[]': ['a', 'c'] })), expected);
    assert.deepEqual(of(parse({ category: ['b', 'a'] }, { category: 'c' })), expected);
  });

  test('duplicates are removed, first occurrence wins', () => {
    const q = parse({ category: ['b', 'a', 'b', 'c', 'a'] });
    assert.equal(q.kind, 'category');
    assert.deepEqual(q.kind === 'category' && q.categories, ['b', 'a', 'c']);
  });

  test('names are kept exactly: case, spaces and Unicode', () => {
    const names = ['News', 'news', ' news', 'Ünïcödé 日本 😀', 'a&b<c>"d\''];
    const q = parse({ category: names });
    assert.deepEqual(q.kind === 'category' && q.categories, names);
  });

  const many = (n: number): string[] => Array.from({ length: n }, (_, i) => `cat-${i}`);

  test('100 distinct categories are allowed', () => {
    const q = parse({ category: many(100) });
    assert.deepEqual(q.kind === 'category' && q.categories.length, 100);
  });

  test('101 distinct categories are an error', () => {
    assert.deepEqual(errorsOf({ category: many(101) }), ['error in category: at most 100 categories per request']);
  });

  test('100 distinct categories given with duplicates are fine', () => {
    const q = parse({ category: [...many(100), ...many(100), 'cat-0'] });
    assert.deepEqual(q.kind === 'category' && q.categories, many(100));
  });

  test('the limit holds with date parameters too', () => {
    assert.deepEqual(errorsOf({ category: many(101), days: '7' }), ['error in category: at most 100 categories per request']);
    assert.deepEqual(errorsOf({ category: many(101), start_date: '2021-06-01' }), ['error in category: at most 100 categories per request']);
  });

  test('aggregate=0 with categories is a category call', () => {
    assert.equal(parse({ aggregate: 'false', category: 'a' }).kind, 'category');
  });
});

describe('scalar parameters given twice', () => {
  for (const name of ['days', 'start_date', 'end_date', 'aggregate', 'list']) {
    test(`${name} with two different values: "must be given only once"`, () => {
      const values: Record<string, [string, string]> = {
        days: ['3', '4'],
        start_date: ['2021-06-01', '2021-06-02'],
        end_date: ['2021-06-03', '2021-06-04'],
        aggregate: ['1', 'true'],
        list: ['true', '1'],
      };
      const params: Source = { [name]: values[name] ?? [] };
      if (name === 'end_date') params.start_date = '2021-06-01';
      assert.deepEqual(errorsOf(params), [`error in ${name}: must be given only once`]);
    });
  }

  test('the same value in the query string and the body is fine', () => {
    assert.deepEqual(shown(parse({ days: '3' }, { days: '3' })), { kind: 'daily', from: '2021-06-13', to: '2021-06-15' });
    assert.deepEqual(parse({ list: 'true' }, { list: 'true' }), { kind: 'list' });
  });

  test('different values in the query string and the body are an error', () => {
    assert.deepEqual(errorsOf({ days: '3' }, { days: '4' }), ['error in days: must be given only once']);
  });
});
