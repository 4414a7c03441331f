// The v3 API's parameters (domain/v3Query.ts) and metric mapping (domain/v3Metrics.ts), pure.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDay, parseDay } from '../../src/domain/calendar.js';
import { ApiError } from '../../src/domain/errors.js';
import { zeroMetrics } from '../../src/domain/metrics.js';
import { type Params, collectParams } from '../../src/domain/params.js';
import { V3_METRICS, toV3Metrics } from '../../src/domain/v3Metrics.js';
import { parseNameList, parseV3Series, parseV3Sums } from '../../src/domain/v3Query.js';

const TODAY = parseDay('2024-03-10') as number;
const day = (s: string): number => parseDay(s) as number;
const params = (qs: string): Params => {
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) (out[k] ??= []).push(v);
  return collectParams(out);
};

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError && err.status === 400, String(err));
    return err.messages;
  }
  assert.fail('expected a 400');
}

describe('v3 query parameters', () => {
  test('start_date is required; end_date defaults to today; aggregated_by to day', () => {
    assert.deepEqual(errorsOf(() => parseV3Series(params(''), TODAY)), ['error in start_date: is required']);
    assert.deepEqual(parseV3Series(params('start_date=2024-03-01'), TODAY), {
      range: { from: day('2024-03-01'), to: TODAY },
      aggregatedBy: 'day',
      excludeMachineOpens: false,
    });
  });

  test('the v1 date rules apply (format, order, not after today, at most 1095 days)', () => {
    assert.deepEqual(errorsOf(() => parseV3Series(params('start_date=2024-02-30'), TODAY)), ['error in start_date: must be a date in YYYY-MM-DD format']);
    assert.deepEqual(errorsOf(() => parseV3Series(params('start_date=2024-03-05&end_date=2024-03-04'), TODAY)), ['error in start_date: must not be after end_date']);
    assert.deepEqual(errorsOf(() => parseV3Series(params('start_date=2024-03-05&end_date=2024-03-11'), TODAY)), ['error in end_date: must not be after today (2024-03-10)']);
    const longest = formatDay(TODAY - 1094);
    assert.equal(parseV3Series(params(`start_date=${longest}`), TODAY).range.from, TODAY - 1094);
    assert.deepEqual(errorsOf(() => parseV3Series(params(`start_date=${formatDay(TODAY - 1095)}`), TODAY)), ['error in start_date: the range may cover at most 1095 days']);
  });

  test('`days` is not a v3 parameter and is ignored', () => {
    assert.deepEqual(parseV3Series(params('start_date=2024-03-09&days=7'), TODAY).range, { from: day('2024-03-09'), to: TODAY });
  });

  test('every problem is listed in one answer, the date rules included', () => {
    assert.deepEqual(errorsOf(() => parseV3Sums(params('start_date=nope&aggregated_by=year&exclude_machine_opens=yes&limit=0&offset=-1&sort_by_metric=x&sort_by_direction=up'), TODAY)), [
      `error in sort_by_metric: must be one of ${V3_METRICS.join(', ')}`,
      'error in sort_by_direction: must be asc or desc',
      'error in limit: must be an integer from 1 to 500',
      'error in offset: must be an integer from 0 to 1000000',
      'error in aggregated_by: must be day, week or month',
      'error in exclude_machine_opens: must be true or false',
      'error in start_date: must be a date in YYYY-MM-DD format',
    ]);
  });

  test('sums default to delivered, desc, limit 5, offset 0', () => {
    const q = parseV3Sums(params('start_date=2024-03-01&aggregated_by=month'), TODAY);
    assert.deepEqual([q.sortBy, q.direction, q.limit, q.offset, q.aggregatedBy], ['delivered', 'desc', 5, 0, 'month']);
    const r = parseV3Sums(params('start_date=2024-03-01&sort_by_metric=unique_opens&sort_by_direction=asc&limit=500&offset=7&exclude_machine_opens=1'), TODAY);
    assert.deepEqual([r.sortBy, r.direction, r.limit, r.offset, r.excludeMachineOpens], ['unique_opens', 'asc', 500, 7, true]);
  });

  test('a parameter given twice with different values is an error, as in v1', () => {
    assert.deepEqual(errorsOf(() => parseV3Series(params('start_date=2024-03-01&aggregated_by=day&aggregated_by=week'), TODAY)), [
      'error in aggregated_by: must be given only once',
    ]);
  });

  test('list parameters: repeated keys or name[], distinct, in order, 1 to 10', () => {
    assert.deepEqual(parseNameList(params('subusers=b&subusers[]=a&subusers=b'), 'subusers'), ['b', 'a']);
    assert.deepEqual(parseNameList(params('categories=a,b'), 'categories'), ['a,b'], 'never split at commas');
    assert.deepEqual(errorsOf(() => parseNameList(params(''), 'categories')), ['error in categories: is required']);
    const eleven = Array.from({ length: 11 }, (_, i) => `categories=c${i}`).join('&');
    assert.deepEqual(errorsOf(() => parseNameList(params(eleven), 'categories')), ['error in categories: at most 10 per request']);
    assert.equal(parseNameList(params(`${eleven}&categories=c0`.replace('categories=c10&', '')), 'categories').length, 10);
  });
});

describe('v3 metrics', () => {
  const row = { ...zeroMetrics(), requests: 1, processed: 2, delivered: 3, deferred: 4, bounces: 5, blocks: 6, opens: 10, machine_opens: 4, unique_opens: 8 };
  const stored = { ...row, clicks: 11, unique_clicks: 12, spamreports: 13, unsubscribes: 14, repeat_bounces: 15, repeat_unsubscribes: 16, repeat_spamreports: 17, invalid_email: 18, spam_drop: 19 };

  test('the sixteen metrics, alphabetical, mapped from the stored ones (SPEC section 5)', () => {
    const m = toV3Metrics(stored, { excludeMachineOpens: false });
    assert.deepEqual(Object.keys(m), [...V3_METRICS]);
    assert.deepEqual(m, {
      blocks: 6,
      bounce_drops: 15,
      bounces: 5,
      clicks: 11,
      deferred: 4,
      delivered: 3,
      invalid_emails: 18,
      opens: 10,
      processed: 2,
      requests: 1,
      spam_report_drops: 17,
      spam_reports: 13,
      unique_clicks: 12,
      unique_opens: 8,
      unsubscribe_drops: 16,
      unsubscribes: 14,
    });
  });

  test('exclude_machine_opens: opens − machine_opens; unique_opens never above that', () => {
    const m = toV3Metrics(stored, { excludeMachineOpens: true });
    assert.equal(m.opens, 6);
    assert.equal(m.unique_opens, 6);
    assert.equal(toV3Metrics({ ...stored, unique_opens: 3 }, { excludeMachineOpens: true }).unique_opens, 3);
    assert.equal(toV3Metrics({ ...stored, opens: 2, machine_opens: 2, unique_opens: 1 }, { excludeMachineOpens: true }).unique_opens, 0);
  });
});
