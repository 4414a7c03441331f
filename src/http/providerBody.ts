// Provider webhook bodies → provider items, under the same bounds as /webhooks/events
// (http/batchBody.ts): at most `maxEvents` items per body (413 beyond, nothing applied), counted
// before anything is mapped where the body is a JSON array, and at most twice that many mapped
// events (a delivery and the request it implies are two). A JSON array, for the providers that
// batch (SparkPost, Mailjet, Brevo), is split, parsed and mapped a slice at a time with a turn of
// the event loop between slices, and an element over `maxEventBytes` is rejected unparsed.
// Other bodies are one provider message (or, for SES, a small export) and go to the adapter whole.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { skipSpace } from '../domain/arraySplit.js';
import { ApiError } from '../domain/errors.js';
import type { ProviderAdapter, ProviderItem, ProviderRequest } from '../providers/types.js';
import type { RawItem } from '../services/ingest.js';
import { type BodyLimits, parseJsonArray, tooManyEvents } from './batchBody.js';

// Elements mapped between two turns of the event loop (a few ms of mapping).
const MAP_SLICE = 1_000;
/** Mapped events allowed per provider item on average: a send-side outcome plus its request. */
export const MAPPED_EVENTS_PER_ITEM = 2;

function tooManyMappedEvents(limits: BodyLimits): ApiError {
  const max = limits.maxEvents * MAPPED_EVENTS_PER_ITEM;
  return new ApiError('too_large', [`error in body: maps to more than ${max} events in one request; send at most ${limits.maxEvents} per request`]);
}

/** Refuses a body whose items, or the events they map to, are over the caps (413). */
export function checkProviderItems(items: readonly ProviderItem[], limits: BodyLimits): ProviderItem[] {
  if (items.length > limits.maxEvents) throw tooManyEvents(limits.maxEvents);
  let mapped = 0;
  for (const item of items) if (Array.isArray(item.mapped)) mapped += item.mapped.length;
  if (mapped > limits.maxEvents * MAPPED_EVENTS_PER_ITEM) throw tooManyMappedEvents(limits);
  return items as ProviderItem[];
}

async function mapInSlices(raw: readonly RawItem[], map: (element: unknown) => ProviderItem): Promise<ProviderItem[]> {
  const items: ProviderItem[] = new Array<ProviderItem>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    if (i > 0 && i % MAP_SLICE === 0) await yieldToEventLoop();
    const r = raw[i] as RawItem;
    items[i] = 'unparsable' in r ? { original: r.unparsable, mapped: { error: r.error ?? 'event is not valid JSON' } } : map(r.value);
  }
  return items;
}

export async function parseProviderBody(adapter: ProviderAdapter, request: ProviderRequest, limits: BodyLimits): Promise<ProviderItem[]> {
  const elements = adapter.arrayElements;
  if (elements) {
    const text = request.body.toString('utf8');
    const open = skipSpace(text);
    if (text.charCodeAt(open) === 0x5b /* [ */) return checkProviderItems(await mapInSlices(await parseJsonArray(text, open, limits, elements.prepare), elements.map), limits);
  }
  return checkProviderItems(adapter.parse(request), limits);
}
