// Reading a suppression list in bounded steps: a whole list (v1 `task=get`, CSV export) as
// keyset slices the renderer streams, and a v3 `offset` page reached by keyset hops, so no
// single statement walks more than one hop of the list and the event loop turns between hops.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CreatedRange, V3ListQuery } from '../domain/suppressionQuery.js';
import type { SuppressionEntry, SuppressionList } from '../domain/suppression.js';
import type { Store } from '../store/types.js';

/** Entries per read while streaming a whole list. */
export const LIST_SLICE = 1_000;
/** Entries skipped per statement on the way to a deep v3 offset. */
const SKIP_HOP = 10_000;

const rangeOf = (range: CreatedRange): CreatedRange => ({ ...(range.from !== undefined ? { from: range.from } : {}), ...(range.to !== undefined ? { to: range.to } : {}) });

/** The whole list newest first, a slice at a time. */
export async function* wholeList(store: Store, customerId: number, list: SuppressionList, range: CreatedRange = {}): AsyncGenerator<SuppressionEntry[]> {
  let after: { created: number; email: string } | undefined;
  for (;;) {
    const page = await store.suppressions(customerId, { list, ...rangeOf(range), limit: LIST_SLICE, ...(after ? { after } : {}) });
    if (page.length > 0) yield page;
    if (page.length < LIST_SLICE) return;
    const last = page[page.length - 1] as SuppressionEntry;
    after = { created: last.created, email: last.email };
  }
}

/** One v3 page: `offset` entries skipped hop by hop, then `limit` entries. */
export async function offsetPage(store: Store, customerId: number, list: SuppressionList, q: V3ListQuery): Promise<SuppressionEntry[]> {
  let after: { created: number; email: string } | undefined;
  let remaining = q.offset;
  while (remaining > SKIP_HOP) {
    // The last entry of the hop is where the next one starts.
    const [edge] = await store.suppressions(customerId, { list, ...rangeOf(q), limit: 1, skip: SKIP_HOP - 1, ...(after ? { after } : {}) });
    if (!edge) return [];
    after = { created: edge.created, email: edge.email };
    remaining -= SKIP_HOP;
    await nextTurn();
  }
  return store.suppressions(customerId, { list, ...rangeOf(q), limit: q.limit, skip: remaining, ...(after ? { after } : {}) });
}
