// Provider items → the shared ingest path: each item's mapped events are validated as SendGrid
// events and applied through the same chunked store transactions as every other webhook's. An
// item is applied whole or quarantined whole (its original, as the provider sent it), so a
// half-mapped item never leaves part of its counts behind (a crash between two chunks leaves
// nothing acknowledged, and the retry finds the committed part as duplicates).
import { type NormalizedEvent, validateEvent } from '../domain/events.js';
import type { ProviderItem } from '../providers/types.js';
import type { Customer, Store } from '../store/types.js';
import { type IngestResult, type ItemOutcome, applyInChunks, ingestAnswer, validateEachInSlices } from './ingest.js';

function payloadOf(original: unknown): string {
  if (typeof original === 'string') return original.replaceAll('\0', '\\u0000');
  try {
    return JSON.stringify(original) ?? 'null';
  } catch {
    return '"<event could not be serialised>"';
  }
}

/** One provider item: every event it maps to valid, or the item quarantined whole. */
function validateProviderItem(item: ProviderItem, timeZone: string, provider: string, index: number): ItemOutcome {
  if (!Array.isArray(item.mapped)) return { rejection: { index, error: item.mapped.error, payload: payloadOf(item.original) } };
  const events: NormalizedEvent[] = [];
  for (const mapped of item.mapped) {
    const v = validateEvent(mapped.event, timeZone, mapped.dedupeKey);
    if (!v.ok) return { rejection: { index, error: v.error, payload: payloadOf(item.original) } };
    events.push({ ...v.event, provider });
  }
  return { events };
}

/**
 * The SendGrid path's bounds apply here too: validated a slice at a time, committed in chunks of
 * APPLY_CHUNK events, and the answer lists at most MAX_REJECTED_LISTED rejections (plus
 * `rejected_count`). Events are rolled up under `provider` too (the per-provider split).
 * `accepted`/`duplicates` count SendGrid-dialect events (a delivery and its
 * derived request are two).
 */
export async function ingestProviderItems(store: Store, customer: Customer, provider: string, items: readonly ProviderItem[], now: Date, firstIndex = 0): Promise<IngestResult> {
  const { events, rejected } = await validateEachInSlices(items, (item, index) => validateProviderItem(item, customer.timezone, provider, index), firstIndex);
  return ingestAnswer(await applyInChunks(store, customer, events, rejected, now), rejected);
}
