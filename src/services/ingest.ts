// From raw batch items to an applied batch: validate each event, apply the valid ones and
// quarantine the rest in one store transaction. Shared by the webhook and `events import`.
import { type NormalizedEvent, validateEvent } from '../domain/events.js';
import type { Customer, Rejection, Store } from '../store/types.js';

/** One element of a batch: a parsed value, or the text of a line that did not parse. */
export type RawItem = { value: unknown } | { unparsable: string };

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; error: string }>;
}

function payloadOf(item: RawItem): string {
  // A raw NUL cannot be stored in PostgreSQL text; keep it visible as its JSON escape.
  if ('unparsable' in item) return item.unparsable.replaceAll('\0', '\\u0000');
  try {
    return JSON.stringify(item.value) ?? 'null';
  } catch {
    // Nesting too deep to re-serialise: keep a marker rather than lose the row.
    return '"<event could not be serialised>"';
  }
}

export function validateBatch(items: readonly RawItem[], timeZone: string, firstIndex = 0): { events: NormalizedEvent[]; rejected: Rejection[] } {
  const events: NormalizedEvent[] = [];
  const rejected: Rejection[] = [];
  items.forEach((item, i) => {
    const index = firstIndex + i;
    if ('unparsable' in item) {
      rejected.push({ index, error: 'event is not valid JSON', payload: payloadOf(item) });
      return;
    }
    const v = validateEvent(item.value, timeZone);
    if (v.ok) events.push(v.event);
    else rejected.push({ index, error: v.error, payload: payloadOf(item) });
  });
  return { events, rejected };
}

export async function ingestBatch(store: Store, customer: Customer, items: readonly RawItem[], now: Date, firstIndex = 0): Promise<IngestResult> {
  const { events, rejected } = validateBatch(items, customer.timezone, firstIndex);
  const result = await store.applyBatch(customer, events, rejected, now);
  return { ...result, rejected: rejected.map(({ index, error }) => ({ index, error })) };
}
