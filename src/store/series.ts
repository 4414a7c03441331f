// One customer's rollup rows (daily, or one category's) held as typed arrays: the days in
// ascending order and the metrics one generation reads (v1: five) of each day side by side. Any
// range or running total is then answered by a binary search and a walk, without SQL: a random
// 1–90-day question costs what a repeated one does. Values are float64, exact for every count
// below 2^53.
import { type Metric, type MetricRow, zeroMetrics } from '../domain/metrics.js';
import type { DayRange } from '../domain/ranges.js';

export class Series {
  private constructor(
    private readonly metrics: readonly Metric[],
    private readonly days: Int32Array,
    private readonly values: Float64Array,
  ) {}

  /** From raw rows [day, ...metrics] sorted by day (better-sqlite3's raw mode). */
  static of(metrics: readonly Metric[], rows: ReadonlyArray<ReadonlyArray<unknown>>): Series {
    const width = metrics.length;
    const days = new Int32Array(rows.length);
    const values = new Float64Array(rows.length * width);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as ReadonlyArray<unknown>;
      days[i] = Number(r[0]);
      for (let m = 0; m < width; m++) {
        const v = r[m + 1];
        if (v !== undefined && v !== null) values[i * width + m] = Number(v);
      }
    }
    return new Series(metrics, days, values);
  }

  /** Bytes held (typed array payloads plus object overhead), for the read cache's budget. */
  get bytes(): number {
    return this.days.byteLength + this.values.byteLength + 300;
  }

  /** Index of the first stored day ≥ `day`. */
  private lowerBound(day: number): number {
    let lo = 0;
    let hi = this.days.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.days[mid] as number) < day) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Stored days within `range`: day → row of this series' metrics (the others 0), as a SQL read gives. */
  rowsIn(range: DayRange): Map<number, MetricRow> {
    const out = new Map<number, MetricRow>();
    const width = this.metrics.length;
    for (let i = this.lowerBound(range.from); i < this.days.length && (this.days[i] as number) <= range.to; i++) {
      const row = zeroMetrics();
      for (let m = 0; m < width; m++) row[this.metrics[m] as Metric] = this.values[i * width + m] as number;
      out.set(this.days[i] as number, row);
    }
    return out;
  }

  /** Whether any stored day is ≤ `through` (SQL's GROUP BY yields no row otherwise). */
  hasThrough(through: number): boolean {
    return this.days.length > 0 && (this.days[0] as number) <= through;
  }

  /** Totals over every stored day ≤ `through` (others 0; all 0 when none). */
  sumThrough(through: number): MetricRow {
    const row = zeroMetrics();
    const width = this.metrics.length;
    const last = this.lowerBound(through + 1); // a JS number: no overflow at LAST_DAY
    for (let m = 0; m < width; m++) {
      let sum = 0;
      for (let i = 0; i < last; i++) sum += this.values[i * width + m] as number;
      row[this.metrics[m] as Metric] = sum;
    }
    return row;
  }
}
