// Rollup reads of the embedded store, remembered until they can have changed. Turning rows into
// objects is most of a stats call's cost, and dashboards and integrations ask the same
// questions over and over. An entry is dropped when its customer's rollups change: `sync`, called
// before every lookup, tells the cache what other connections committed (sqliteChanges.ts: the
// writer thread, another process, the CLI) and this process's own writes call `forget`. Cached
// values are shared: callers only read them.
//
// The cache is bounded by (estimated) bytes, not entries: one customer asking many distinct
// 100-category × 3-year questions once filled gigabytes within an entry limit. Least recently
// used entries go first; an entry larger than a fraction of the budget is never kept, so one
// huge answer cannot flush everyone else's.

/** Never keep an entry larger than budget / ENTRY_FRACTION. */
export const ENTRY_FRACTION = 8;

export interface ReadCacheStats {
  hits: number;
  misses: number;
  /** Entries dropped to stay within the budget (not those dropped because data changed). */
  evictions: number;
  /** Estimated bytes of the entries held now; never above `budget`. */
  bytes: number;
  budget: number;
  entries: number;
  /** Reseller/customer lookups answered from memory, and those that read the database (accountMemo.ts). */
  accountHits?: number;
  accountMisses?: number;
}

interface Entry {
  customerId: number;
  value: unknown;
  bytes: number;
}

export class ReadCache {
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently used first.
  private readonly entries = new Map<string, Entry>();
  private readonly byCustomer = new Map<number, Set<string>>();
  private readonly counts = { hits: 0, misses: 0, evictions: 0, bytes: 0 };

  constructor(
    /** Brings the cache up to date with other connections' commits (forget / clear). */
    private readonly sync: () => void,
    private readonly budget: number,
  ) {}

  /** `size` estimates the bytes `load`'s value holds (see the estimators below). */
  get<T>(customerId: number, key: string, load: () => T, size: (value: T) => number): T {
    const held = this.peek<T>(customerId, key);
    if (held !== undefined) return held;
    this.counts.misses++;
    const value = load();
    const id = `${customerId}\0${key}`;
    const bytes = size(value) + id.length * 2 + ENTRY_OVERHEAD;
    if (bytes <= this.budget / ENTRY_FRACTION) this.add(id, { customerId, value, bytes });
    return value;
  }

  /** The value held for the key, if any (a hit); never loads. */
  peek<T>(customerId: number, key: string): T | undefined {
    this.sync();
    const id = `${customerId}\0${key}`;
    const hit = this.entries.get(id);
    if (!hit) return undefined;
    this.counts.hits++;
    this.entries.delete(id);
    this.entries.set(id, hit);
    return hit.value as T;
  }

  /** The most bytes one entry may take (larger values are answered but not kept). */
  get entryLimit(): number {
    return this.budget / ENTRY_FRACTION;
  }

  /** After this process changed the customer's rollups. */
  forget(customerId: number): void {
    for (const id of this.byCustomer.get(customerId) ?? []) this.remove(id);
  }

  stats(): ReadCacheStats {
    return { ...this.counts, budget: this.budget, entries: this.entries.size };
  }

  private add(id: string, entry: Entry): void {
    while (this.counts.bytes + entry.bytes > this.budget) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.remove(oldest.value);
      this.counts.evictions++;
    }
    this.entries.set(id, entry);
    this.counts.bytes += entry.bytes;
    let ids = this.byCustomer.get(entry.customerId);
    if (!ids) this.byCustomer.set(entry.customerId, (ids = new Set()));
    ids.add(id);
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.counts.bytes -= entry.bytes;
    const ids = this.byCustomer.get(entry.customerId);
    ids?.delete(id);
    if (ids?.size === 0) this.byCustomer.delete(entry.customerId);
  }

  /** After a change that may touch any customer's answers (an account record). */
  clear(): void {
    this.entries.clear();
    this.byCustomer.clear();
    this.counts.bytes = 0;
  }
}

// Estimates, measured with --expose-gc on Node 20 (a day → row map of 100,000 rows took 220
// bytes a row): rounded up, so the budget errs on the side of holding less.
const ENTRY_OVERHEAD = 200;
/** One MetricRow (18 small integers) and its slot in a Map. */
export const ROW_BYTES = 240;

export const rowMapBytes = (rows: ReadonlyMap<unknown, unknown>): number => 64 + rows.size * ROW_BYTES;

/** A set of names (the known categories of a question). */
export const nameSetBytes = (set: ReadonlySet<string>): number => 64 + [...set].reduce((b, n) => b + 80 + n.length * 2, 0);

export function categoryRowsBytes(byCategory: ReadonlyMap<string, ReadonlyMap<number, unknown>>): number {
  let bytes = 64;
  for (const [name, days] of byCategory) bytes += 80 + name.length * 2 + rowMapBytes(days);
  return bytes;
}
