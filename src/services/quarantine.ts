// Quarantined events after a fix: re-validated and, where now valid, applied — in the same
// transaction that removes them from quarantine, so a re-apply interrupted half-way neither
// loses nor double-counts anything. Events still invalid stay where they are.
import { validateEvent } from '../domain/events.js';
import type { NormalizedEvent } from '../domain/events.js';
import { parseNdjsonLine } from '../http/batchBody.js';
import type { Customer, Store } from '../store/types.js';

export interface ReapplyResult {
  reapplied: number;
  duplicates: number;
  still_rejected: number;
}

const PAGE = 1000;

export async function reapplyQuarantined(store: Store, customer: Customer, now: () => Date): Promise<ReapplyResult> {
  const result: ReapplyResult = { reapplied: 0, duplicates: 0, still_rejected: 0 };
  let afterId = 0;
  for (;;) {
    const page = await store.quarantined(customer.id, PAGE, afterId);
    if (page.length === 0) return result;
    afterId = page[page.length - 1]?.id ?? afterId;
    const events: NormalizedEvent[] = [];
    const resolved: number[] = [];
    for (const row of page) {
      const item = parseNdjsonLine(row.payload);
      const v = 'value' in item ? validateEvent(item.value, customer.timezone) : null;
      if (v?.ok) {
        events.push(v.event);
        resolved.push(row.id);
      } else result.still_rejected++;
    }
    const applied = await store.applyBatch(customer, events, [], now(), resolved);
    result.reapplied += applied.accepted;
    result.duplicates += applied.duplicates;
  }
}
