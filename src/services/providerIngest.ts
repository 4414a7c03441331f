// Provider items → the shared ingest path: each item's mapped events are validated as SendGrid
// events and applied with every other webhook's in one store transaction. An item is applied
// whole or quarantined whole (its original, as the provider sent it), so a half-mapped item
// never leaves part of its counts behind.
import { type NormalizedEvent, validateEvent } from '../domain/events.js';
import type { ProviderItem } from '../providers/types.js';
import type { Customer, Rejection, Store } from '../store/types.js';
import type { IngestResult } from './ingest.js';

function payloadOf(original: unknown): string {
  if (typeof original === 'string') return original.replaceAll('\0', '\\u0000');
  try {
    return JSON.stringify(original) ?? 'null';
  } catch {
    return '"<event could not be serialised>"';
  }
}

export function validateProviderItems(items: readonly ProviderItem[], timeZone: string, firstIndex = 0): { events: NormalizedEvent[]; rejected: Rejection[] } {
  const events: NormalizedEvent[] = [];
  const rejected: Rejection[] = [];
  items.forEach((item, i) => {
    const index = firstIndex + i;
    if (!Array.isArray(item.mapped)) {
      rejected.push({ index, error: item.mapped.error, payload: payloadOf(item.original) });
      return;
    }
    const valid: NormalizedEvent[] = [];
    for (const mapped of item.mapped) {
      const v = validateEvent(mapped.event, timeZone, mapped.dedupeKey);
      if (!v.ok) {
        rejected.push({ index, error: v.error, payload: payloadOf(item.original) });
        return;
      }
      valid.push(v.event);
    }
    events.push(...valid);
  });
  return { events, rejected };
}

/** `accepted`/`duplicates` count SendGrid-dialect events (a delivery and its derived request are two). */
export async function ingestProviderItems(store: Store, customer: Customer, items: readonly ProviderItem[], now: Date, firstIndex = 0): Promise<IngestResult> {
  const { events, rejected } = validateProviderItems(items, customer.timezone, firstIndex);
  const result = await store.applyBatch(customer, events, rejected, now);
  return { ...result, rejected: rejected.map(({ index, error }) => ({ index, error })) };
}
