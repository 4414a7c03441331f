// The compact series (issue 15, memory row): narrow columns, day offsets or no days at all must
// read back exactly what the rows held, for every width a column can take (zeros, 8, 16, 32 bits
// and the float64 fallback) and every day layout (consecutive, gaps, a span beyond 16 bits), and
// `bytes` must follow the narrow layout, not the old float64 one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Metric, type MetricRow, zeroMetrics } from '../../src/domain/metrics.js';
import type { DayRange } from '../../src/domain/ranges.js';
import { LAST_DAY } from '../../src/store/types.js';
import { Series } from '../../src/store/series.js';

const METRICS: Metric[] = ['requests', 'bounces', 'clicks', 'opens', 'spamreports'];

/** The meaning of a series, spelled out: what SQL returns for the same rows. */
function naiveRows(rows: number[][], range: DayRange): Map<number, MetricRow> {
  const out = new Map<number, MetricRow>();
  for (const r of rows) {
    if ((r[0] as number) < range.from || (r[0] as number) > range.to) continue;
    const row = zeroMetrics();
    METRICS.forEach((m, i) => (row[m] = r[i + 1] as number));
    out.set(r[0] as number, row);
  }
  return out;
}

function naiveSum(rows: number[][], through: number): MetricRow {
  const row = zeroMetrics();
  for (const r of rows) if ((r[0] as number) <= through) METRICS.forEach((m, i) => (row[m] += r[i + 1] as number));
  return row;
}

function check(rows: number[][]): Series {
  const s = Series.of(METRICS, rows);
  const days = rows.map((r) => r[0] as number);
  const first = days[0] ?? 0;
  const last = days[days.length - 1] ?? 0;
  const probes = [first - 2, first - 1, first, first + 1, last - 1, last, last + 1, Math.floor((first + last) / 2)];
  for (const from of probes) {
    for (const to of probes) {
      const range = { from, to };
      assert.deepEqual([...s.rowsIn(range)], [...naiveRows(rows, range)], `rows ${from}..${to}`);
    }
  }
  for (const through of [...probes, LAST_DAY]) {
    assert.deepEqual(s.sumThrough(through), naiveSum(rows, through), `sum through ${through}`);
    assert.equal(s.hasThrough(through), days.some((d) => d <= through));
  }
  return s;
}

const DAYS = 1095;
const FIRST = 19_000;
const dense = (value: (day: number, m: number) => number): number[][] =>
  Array.from({ length: DAYS }, (_, i) => [FIRST + i, ...METRICS.map((_, m) => value(i, m))]);

describe('Series', () => {
  test('every column width reads back exactly: zeros, 8, 16, 32 bits, float64', () => {
    const s = check(dense((d, m) => [0, d % 256, 60_000 + d, 4_000_000_000 + d, 2 ** 40 + d][m] as number));
    // 1 + 2 + 4 + 8 bytes a day (the zero column holds none), no day array: consecutive days.
    assert.ok(s.bytes < DAYS * 15 + 2_000, `${s.bytes} bytes`);
  });

  test('values that are not small unsigned integers keep float64 and read back as they were', () => {
    check(dense((d, m) => [-1 - d, 0.5 + d, 2 ** 32 + d, Number.MAX_SAFE_INTEGER - d, d][m] as number));
    const s = Series.of(METRICS, [[FIRST, -0, 0, 0, 0, 0]]);
    assert.ok(Object.is(s.rowsIn({ from: FIRST, to: FIRST }).get(FIRST)?.requests, -0));
  });

  test('days with gaps, and a span beyond 16 bits', () => {
    check(dense((d, m) => (d * 7 + m) % 3000).filter((r) => (r[0] as number) % 7 < 5));
    check(dense((d) => d % 200).filter((r) => (r[0] as number) % 7 === 4));
    check([
      [-5, 1, 2, 3, 4, 5],
      [100, 6, 7, 8, 9, 10],
      [70_000, 11, 12, 13, 14, 15],
      [2_000_000_000, 16, 17, 18, 19, 20],
    ]);
  });

  test('null and missing values read as 0; an empty series answers nothing', () => {
    check([[FIRST, 3, 0, 0, 0, 0]]);
    const s = Series.of(METRICS, [[FIRST, null, 4], [FIRST + 1, 5]]);
    assert.deepEqual(s.rowsIn({ from: FIRST, to: FIRST + 1 }).get(FIRST), { ...zeroMetrics(), bounces: 4 });
    assert.deepEqual(s.sumThrough(LAST_DAY), { ...zeroMetrics(), requests: 5, bounces: 4 });
    const empty = check([]);
    assert.equal(empty.rowsIn({ from: 0, to: LAST_DAY }).size, 0);
    assert.equal(empty.hasThrough(LAST_DAY), false);
  });

  test('a 3-year v1 series of a small sender takes a fraction of its float64 size', () => {
    // 100–5,099 requests a day: 16 bits for requests, clicks and opens, 8 for bounces and spam reports.
    const s = check(dense((d, m) => Math.floor((100 + ((d * 11) % 5000)) / [1, 50, 10, 1.7, 300][m]!)));
    const float64 = DAYS * (4 + 8 * METRICS.length);
    assert.ok(s.bytes < float64 / 4, `${s.bytes} bytes, float64 layout ${float64}`);
  });
});
