// Rendered stats answers (body text + content type) held in the read cache beside the series,
// under the customer's id: they are dropped exactly when the series are — when a batch for the
// customer is committed, by this process's writer thread or any other connection (learnt from
// the change counters, sqliteChanges.ts), or an account record changes — and they share its byte
// budget and LRU order.
//
// Exact: an answer is kept only if nothing was dropped for its customer while it was being
// made. A per-customer stamp (an empty object held in the cache) is taken before the answer is
// read and must still be the one held when it is kept; a batch, a foreign commit or an eviction
// in between replaces or removes the stamp, and the answer is simply not kept.
//
// Admission: an answer is kept only when its question was already asked a little while ago (the
// doorkeeper below). One-off questions — a dashboard's odd range, a scan over many customers —
// would otherwise push out the series that answer every question, and their own entries would
// never be hit again.
import type { ReadCache } from './readCache.js';

export interface CachedAnswer {
  body: string;
  type: string;
}

/** Opaque: the customer's stamp when an answer started being made. */
export type AnswerStamp = object;

const STAMP_KEY = 'A#stamp';
const STAMP_BYTES = 64;
/** Distinct recent questions the doorkeeper remembers; it forgets them all when full. */
export const DOORKEEPER_KEYS = 4_096;

export class AnswerCache {
  private recent = new Set<string>();

  constructor(private readonly cache: ReadCache) {}

  /** The customer's current stamp (made when none is held). Take it before `find`. */
  stamp(customerId: number): AnswerStamp {
    return this.cache.get(customerId, STAMP_KEY, () => ({}), () => STAMP_BYTES);
  }

  /** The answer held for the question, if any. */
  find(customerId: number, key: string): CachedAnswer | undefined {
    return this.cache.peek<CachedAnswer>(customerId, `A|${key}`);
  }

  /** Keeps an answer made since `stamp` was taken, unless the customer's data changed meanwhile. */
  keep(customerId: number, key: string, stamp: AnswerStamp, answer: CachedAnswer): void {
    if (!this.admit(`${customerId}\0${key}`)) return;
    if (this.cache.peek<AnswerStamp>(customerId, STAMP_KEY) !== stamp) return;
    this.cache.get(customerId, `A|${key}`, () => answer, answerBytes);
  }

  private admit(id: string): boolean {
    if (this.recent.has(id)) return true;
    if (this.recent.size >= DOORKEEPER_KEYS) this.recent = new Set();
    this.recent.add(id);
    return false;
  }
}

/** Strings counted at two bytes a character (V8 may hold one), plus the object. */
export const answerBytes = (a: CachedAnswer): number => 2 * (a.body.length + a.type.length) + 96;
