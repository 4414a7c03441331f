// One page of a customer's categories ranked by a score over a range, without sorting them all
// at once: a customer may have hundreds of thousands of categories. The names are read in
// pages (binary order) with the event loop free between pages, and only the best
// `offset + limit` are kept, in a heap whose root is the worst kept; popping it then gives the
// requested page, last rank first. Memory is O(min(categories, offset + limit)) small entries.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Metric, MetricRow } from '../domain/metrics.js';
import type { DayRange } from '../domain/ranges.js';
import type { Store } from '../store/types.js';

/** Rollup rows one page's query may touch (categories × days): a few milliseconds of SQLite. */
const ROWS_PER_PAGE = 20_000;
const MAX_PAGE = 1_000;

export interface RankOptions {
  score(row: MetricRow): number;
  /** The stored metrics `score` reads: only these are summed. */
  metrics: readonly Metric[];
  direction: 'asc' | 'desc';
  offset: number;
  limit: number;
}

interface Ranked {
  name: string;
  score: number;
  /** Position in binary name order: ties go by name ascending, so pages are stable. */
  seq: number;
}

/** A binary heap with the worst entry at the root. */
class WorstFirst {
  readonly items: Ranked[] = [];
  constructor(private readonly better: (a: Ranked, b: Ranked) => boolean) {}

  get size(): number {
    return this.items.length;
  }
  get root(): Ranked | undefined {
    return this.items[0];
  }

  push(x: Ranked): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.better(a[parent] as Ranked, a[i] as Ranked)) break;
      [a[parent], a[i]] = [a[i] as Ranked, a[parent] as Ranked];
      i = parent;
    }
  }

  pop(): Ranked | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      this.down(0);
    }
    return top;
  }

  replaceRoot(x: Ranked): void {
    this.items[0] = x;
    this.down(0);
  }

  private down(i: number): void {
    const a = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < a.length && this.better(a[worst] as Ranked, a[l] as Ranked)) worst = l;
      if (r < a.length && this.better(a[worst] as Ranked, a[r] as Ranked)) worst = r;
      if (worst === i) return;
      [a[worst], a[i]] = [a[i] as Ranked, a[worst] as Ranked];
      i = worst;
    }
  }
}

/** The names ranked offset … offset+limit−1 (every category counts, idle ones with zeros). */
export async function rankCategories(store: Store, customerId: number, range: DayRange, o: RankOptions): Promise<string[]> {
  const sign = o.direction === 'asc' ? -1 : 1;
  const better = (a: Ranked, b: Ranked): boolean => (a.score !== b.score ? sign * (a.score - b.score) > 0 : a.seq < b.seq);
  const keep = o.offset + o.limit;
  const heap = new WorstFirst(better);
  const days = range.to - range.from + 1;
  const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(ROWS_PER_PAGE / days)));
  let after: string | null = null;
  let seq = 0;
  for (;;) {
    const page = await store.categorySumsPage(customerId, range, { after, limit }, o.metrics);
    for (const { name, row } of page) {
      const entry = { name, score: o.score(row), seq: seq++ };
      if (heap.size < keep) heap.push(entry);
      else if (better(entry, heap.root as Ranked)) heap.replaceRoot(entry);
    }
    if (page.length < limit) break;
    after = (page[page.length - 1] as { name: string }).name;
    await nextTurn();
  }
  const out: string[] = [];
  while (heap.size > o.offset) out.push((heap.pop() as Ranked).name);
  return out.reverse();
}
