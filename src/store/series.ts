// One customer's rollup rows (daily, or one category's) held as typed arrays: the days in
// ascending order and every metric of each day side by side. Any range or running total is
// then answered by a binary search and a walk, without SQL: a random 1–90-day question costs the
// same as a repeated one. Values are float64, exact for every count below 2^53 (SQLite's own
// SUM over these integers would have left the integers long before that).
import { METRICS, type Metric, type MetricRow, zeroMetrics } from '../domain/metrics.js';
import type { DayRange } from '../domain/ranges.js';

const WIDTH = METRICS.length;
const INDEX = new Map<Metric, number>(METRICS.map((m, i) => [m, i]));

export class Series {
  private constructor(
    private readonly days: Int32Array,
    private readonly values: Float64Array,
  ) {}

  /** From rows of (day, every metric) sorted by day, as the store reads them. */
  static of(rows: ReadonlyArray<Record<string, unknown>>): Series {
    const days = new Int32Array(rows.length);
    const values = new Float64Array(rows.length * WIDTH);
    rows.forEach((r, i) => {
      days[i] = Number(r.day);
      for (let m = 0; m < WIDTH; m++) {
        const v = r[METRICS[m] as Metric];
        if (v !== undefined && v !== null) values[i * WIDTH + m] = Number(v);
      }
    });
    return new Series(days, values);
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

  private row(i: number, metrics: readonly Metric[]): MetricRow {
    const row = zeroMetrics();
    const base = i * WIDTH;
    for (const m of metrics) row[m] = this.values[base + (INDEX.get(m) as number)] as number;
    return row;
  }

  /** Stored days within `range`: day → row of `metrics` (the others 0), as a SQL read gives. */
  rowsIn(range: DayRange, metrics: readonly Metric[]): Map<number, MetricRow> {
    const out = new Map<number, MetricRow>();
    for (let i = this.lowerBound(range.from); i < this.days.length && (this.days[i] as number) <= range.to; i++) out.set(this.days[i] as number, this.row(i, metrics));
    return out;
  }

  /** Whether any stored day is ≤ `through` (SQL's GROUP BY yields no row otherwise). */
  hasThrough(through: number): boolean {
    return this.days.length > 0 && (this.days[0] as number) <= through;
  }

  /** Totals of `metrics` over every stored day ≤ `through` (others 0; all 0 when none). */
  sumThrough(through: number, metrics: readonly Metric[]): MetricRow {
    const row = zeroMetrics();
    const last = this.lowerBound(through + 1); // a JS number: no overflow at LAST_DAY
    for (const m of metrics) {
      const k = INDEX.get(m) as number;
      let sum = 0;
      for (let i = 0; i < last; i++) sum += this.values[i * WIDTH + k] as number;
      row[m] = sum;
    }
    return row;
  }
}
