// From raw batch items to an applied batch: validate each event, apply the valid ones and
// quarantine the rest in one store transaction. Shared by the webhook and `events import`.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type NormalizedEvent, validateEvent } from '../domain/events.js';
import type { BatchResult, Customer, Rejection, Store } from '../store/types.js';

/**
 * One element of a batch: a parsed value (with its text as received, where the parser kept it),
 * or the text of an item that was not parsed (a line that is not JSON, or `error` says why, e.g.
 * an item too large to parse).
 */
export type RawItem = { value: unknown; raw?: string } | { unparsable: string; error?: string };

/** How many rejected events an answer lists; `rejected_count` then gives the total. */
export const MAX_REJECTED_LISTED = 100;

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** The first MAX_REJECTED_LISTED rejected events, by index. */
  rejected: Array<{ index: number; error: string }>;
  /** Present only when more were rejected than are listed: how many in all. */
  rejected_count?: number;
}

/** Every rejected event, listed or not. */
export const rejectedCount = (r: IngestResult): number => r.rejected_count ?? r.rejected.length;

/** The answer to a batch: what the store did, and the rejections, listed up to the cap. */
export function ingestAnswer(result: BatchResult, rejected: readonly Rejection[]): IngestResult {
  const listed = rejected.slice(0, MAX_REJECTED_LISTED).map(({ index, error }) => ({ index, error }));
  const answer: IngestResult = { accepted: result.accepted, duplicates: result.duplicates, rejected: listed };
  if (rejected.length > listed.length) answer.rejected_count = rejected.length;
  return answer;
}

function payloadOf(item: RawItem): string {
  // A raw NUL cannot be stored in PostgreSQL text; keep it visible as its JSON escape.
  if ('unparsable' in item) return item.unparsable.replaceAll('\0', '\\u0000');
  // The item's own text: what the sender sent, and the same text on every retry.
  if (item.raw !== undefined) return item.raw;
  try {
    return JSON.stringify(item.value) ?? 'null';
  } catch {
    // Nesting too deep to re-serialise: keep a marker rather than lose the row.
    return '"<event could not be serialised>"';
  }
}

/** What validating one batch item gives: its events (all valid), or why it is quarantined whole. */
export type ItemOutcome = { events: readonly NormalizedEvent[] } | { rejection: Rejection };

function validateItem(item: RawItem, timeZone: string, index: number): ItemOutcome {
  if ('unparsable' in item) return { rejection: { index, error: item.error ?? 'event is not valid JSON', payload: payloadOf(item) } };
  const v = validateEvent(item.value, timeZone);
  return v.ok ? { events: [v.event] } : { rejection: { index, error: v.error, payload: payloadOf(item) } };
}

export function validateBatch(items: readonly RawItem[], timeZone: string, firstIndex = 0): { events: NormalizedEvent[]; rejected: Rejection[] } {
  const events: NormalizedEvent[] = [];
  const rejected: Rejection[] = [];
  items.forEach((item, i) => {
    const r = validateItem(item, timeZone, firstIndex + i);
    if ('events' in r) events.push(...r.events);
    else rejected.push(r.rejection);
  });
  return { events, rejected };
}

// Validation between two turns of the event loop: this many items, or this many characters of
// rejected payloads re-encoded for the quarantine, whichever comes first.
const SLICE_ITEMS = 250;
const SLICE_CHARS = 512 * 1024;

/**
 * Validates each item with `validate` (given its index in the body), a slice at a time, so a
 * large batch does not hold the event loop. Shared by SendGrid batches and provider items.
 */
export async function validateEachInSlices<T>(items: readonly T[], validate: (item: T, index: number) => ItemOutcome, firstIndex = 0): Promise<{ events: NormalizedEvent[]; rejected: Rejection[] }> {
  const events: NormalizedEvent[] = [];
  const rejected: Rejection[] = [];
  let work = 0;
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && (i % SLICE_ITEMS === 0 || work >= SLICE_CHARS)) {
      await yieldToEventLoop();
      work = 0;
    }
    const r = validate(items[i] as T, firstIndex + i);
    if ('events' in r) for (const e of r.events) events.push(e);
    else {
      rejected.push(r.rejection);
      work += r.rejection.payload.length;
    }
  }
  return { events, rejected };
}

/** validateBatch, a slice at a time. */
export function validateInSlices(items: readonly RawItem[], timeZone: string, firstIndex = 0): Promise<{ events: NormalizedEvent[]; rejected: Rejection[] }> {
  return validateEachInSlices(items, (item, index) => validateItem(item, timeZone, index), firstIndex);
}

// Events (and rejections) per store call. Where SQLite runs a transaction on the event loop (no
// writer thread), a 10,000-event body is applied as several short ones with a turn of the loop
// between them.
// Safe because applying is idempotent: if the process dies half-way, nothing was acknowledged,
// and the sender's retry finds the committed part as duplicates (and quarantined once).
export const APPLY_CHUNK = 2_000;

/** store.applyBatch, a chunk at a time; resolves once every chunk is committed. */
export async function applyInChunks(store: Store, customer: Customer, events: readonly NormalizedEvent[], rejected: readonly Rejection[], now: Date): Promise<BatchResult> {
  const total: BatchResult = { accepted: 0, duplicates: 0 };
  const add = (r: BatchResult): void => {
    total.accepted += r.accepted;
    total.duplicates += r.duplicates;
  };
  const chunk = (i: number): Promise<BatchResult> => store.applyBatch(customer, events.slice(i, i + APPLY_CHUNK), rejected.slice(i, i + APPLY_CHUNK), now);
  const starts: number[] = [];
  for (let i = 0; i === 0 || i < Math.max(events.length, rejected.length); i += APPLY_CHUNK) starts.push(i);
  if (store.writesOffThread) {
    // Off the event loop: send every chunk at once, so the writer commits them together.
    for (const r of await Promise.all(starts.map(chunk))) add(r);
    return total;
  }
  for (const i of starts) {
    if (i > 0) await yieldToEventLoop();
    add(await chunk(i));
  }
  return total;
}

export async function ingestBatch(store: Store, customer: Customer, items: readonly RawItem[], now: Date, firstIndex = 0): Promise<IngestResult> {
  const { events, rejected } = await validateInSlices(items, customer.timezone, firstIndex);
  return ingestAnswer(await applyInChunks(store, customer, events, rejected, now), rejected);
}
