// One customer's rollup rows (daily, or one category's) held compactly: the days in ascending
// order and the metrics one generation reads (v1: five) of each day. Any range or running total
// is then answered by a binary search and a walk, without SQL: a random 1–90-day question costs
// what a repeated one does.
//
// Sized for 10,000 customers × 3 years in a few hundred MiB (issue 15): float64 per value and an
// int32 per day took 48 KB for one 3-year v1 series, ~140 KB a customer with three categories.
// Now each metric is its own column of the narrowest unsigned width that holds all its values
// exactly (a day's count of a small sender fits in 8 or 16 bits; a column of zeros takes no
// bytes), falling back to float64 for anything else (negative, fractional, ≥ 2^32), so every
// value reads back exactly as SQL gave it. Days are stored as offsets from the first (16-bit
// when the span allows), or not at all when they are consecutive, as daily rows usually are.
// All columns share one buffer: a typed array's own overhead is a few hundred bytes.
import { type Metric, type MetricRow, zeroMetrics } from '../domain/metrics.js';
import type { DayRange } from '../domain/ranges.js';

type Column = Uint8Array | Uint16Array | Uint32Array | Float64Array | null;

const valueOf = (row: ReadonlyArray<unknown>, at: number): number => {
  const v = row[at];
  return v === undefined || v === null ? 0 : Number(v);
};

/** Bytes per value of the narrowest column that holds metric `m` (0: all zeros), or 8 for float64. */
function widthFor(rows: ReadonlyArray<ReadonlyArray<unknown>>, m: number): 0 | 1 | 2 | 4 | 8 {
  let max = 0;
  for (const row of rows) {
    const v = valueOf(row, m + 1);
    // -0 and NaN fail these tests too, so they keep float64 and read back as they were.
    if (!(v >= 0 && v <= 0xffffffff && Number.isInteger(v)) || Object.is(v, -0)) return 8;
    if (v > max) max = v;
  }
  return max === 0 ? 0 : max <= 0xff ? 1 : max <= 0xffff ? 2 : 4;
}

// Measured with --expose-gc on Node 20 (bench/read-memory.ts checks it against RSS): the Series
// object, its arrays' headers, the ArrayBuffer and its backing store's allocation; rounded up, so
// the budget errs on the side of holding less.
const SERIES_OVERHEAD = 800;
const VIEW_OVERHEAD = 100;

export class Series {
  private constructor(
    private readonly metrics: readonly Metric[],
    /** Number of stored days. */
    private readonly count: number,
    /** The first stored day (days are offsets from it). */
    private readonly first: number,
    /** Offsets of the stored days from `first`; null when they are first, first + 1, … */
    private readonly offsets: Uint16Array | Float64Array | null,
    /** One per metric, `count` values each; null for a metric that is 0 on every day. */
    private readonly columns: readonly Column[],
    private readonly payload: number,
  ) {}

  /** From raw rows [day, ...metrics] sorted by day (better-sqlite3's raw mode). */
  static of(metrics: readonly Metric[], rows: ReadonlyArray<ReadonlyArray<unknown>>): Series {
    const width = metrics.length;
    const count = rows.length;
    // No scratch copy: the one buffer below is the only allocation that outlives the call (short-
    // lived buffers freed between long-lived ones fragmented the heap: RSS grew twice as fast).
    const dayOf = (i: number): number => Number((rows[i] as ReadonlyArray<unknown>)[0]);
    const first = count > 0 ? dayOf(0) : 0;
    const span = count > 0 ? dayOf(count - 1) - first : 0;
    const dense = count === 0 || span === count - 1;
    const offsetWidth = dense ? 0 : span <= 0xffff ? 2 : 8;

    // Layout: widest arrays first (the day offsets are one of them, index `width`), so each typed
    // array starts at a multiple of its element size.
    const widths: number[] = [...metrics.map((_, m) => widthFor(rows, m)), offsetWidth];
    const order = widths.map((_, k) => k).sort((a, b) => (widths[b] as number) - (widths[a] as number));
    let size = 0;
    const starts = new Array<number>(width + 1);
    for (const k of order) {
      starts[k] = size;
      size += count * (widths[k] as number);
    }
    const buffer = new ArrayBuffer(size);

    const offsetsAt = starts[width] as number;
    let offsets: Uint16Array | Float64Array | null = null;
    if (offsetWidth === 8) offsets = new Float64Array(buffer, offsetsAt, count);
    else if (offsetWidth === 2) offsets = new Uint16Array(buffer, offsetsAt, count);
    if (offsets) for (let i = 0; i < count; i++) offsets[i] = dayOf(i) - first;

    let views = offsets ? 1 : 0;
    const columns: Column[] = metrics.map((_, m) => {
      const w = widths[m] as number;
      const start = starts[m] as number;
      const col: Column =
        w === 0 ? null : w === 1 ? new Uint8Array(buffer, start, count) : w === 2 ? new Uint16Array(buffer, start, count) : w === 4 ? new Uint32Array(buffer, start, count) : new Float64Array(buffer, start, count);
      if (col) {
        views++;
        for (let i = 0; i < count; i++) col[i] = valueOf(rows[i] as ReadonlyArray<unknown>, m + 1);
      }
      return col;
    });
    return new Series(metrics, count, first, offsets, columns, size + SERIES_OVERHEAD + views * VIEW_OVERHEAD);
  }

  /** Bytes held (the shared buffer plus object overhead), for the read cache's budget. */
  get bytes(): number {
    return this.payload;
  }

  private dayAt(i: number): number {
    return this.first + (this.offsets ? (this.offsets[i] as number) : i);
  }

  /** Index of the first stored day ≥ `day`. */
  private lowerBound(day: number): number {
    if (!this.offsets) return Math.min(this.count, Math.max(0, Math.ceil(day - this.first)));
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.dayAt(mid) < day) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Stored days within `range`: day → row of this series' metrics (the others 0), as a SQL read gives. */
  rowsIn(range: DayRange): Map<number, MetricRow> {
    const out = new Map<number, MetricRow>();
    const width = this.metrics.length;
    for (let i = this.lowerBound(range.from); i < this.count; i++) {
      const day = this.dayAt(i);
      if (day > range.to) break;
      const row = zeroMetrics();
      for (let m = 0; m < width; m++) {
        const col = this.columns[m];
        if (col) row[this.metrics[m] as Metric] = col[i] as number;
      }
      out.set(day, row);
    }
    return out;
  }

  /** Whether any stored day is ≤ `through` (SQL's GROUP BY yields no row otherwise). */
  hasThrough(through: number): boolean {
    return this.count > 0 && this.first <= through;
  }

  /** Totals over every stored day ≤ `through` (others 0; all 0 when none). */
  sumThrough(through: number): MetricRow {
    const row = zeroMetrics();
    const width = this.metrics.length;
    const last = this.lowerBound(through + 1); // a JS number: no overflow at LAST_DAY
    for (let m = 0; m < width; m++) {
      const col = this.columns[m];
      let sum = 0;
      if (col) for (let i = 0; i < last; i++) sum += col[i] as number;
      row[this.metrics[m] as Metric] = sum;
    }
    return row;
  }
}
