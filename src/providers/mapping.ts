// Helpers every adapter shares: the unit (message + recipient), derived requests (J1), tags →
// categories, timestamps in the shapes providers send, and the JSON body envelope.
import { ApiError } from '../domain/errors.js';
import { MAX_CATEGORIES_PER_EVENT, MAX_CATEGORY_LENGTH } from '../domain/events.js';
import type { MappedEvent, ProviderItem, ProviderRequest } from './types.js';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);
export const obj = (v: unknown): Json => (isObject(v) ? v : {});

/** The body as JSON, or the 400 every webhook route gives for a body that is not JSON. */
export function parseJson(request: ProviderRequest, text = request.body.toString('utf8')): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('bad_request', ['error in body: is not valid JSON']);
  }
}

export function notEnvelope(provider: string, what: string): ApiError {
  return new ApiError('bad_request', [`error in body: is not a ${provider} webhook payload (${what})`]);
}

/** One object, or an array of them (batched/grouped modes); anything else is not the envelope. */
export function objectOrArray(provider: string, parsed: unknown): unknown[] {
  if (Array.isArray(parsed)) return parsed;
  if (isObject(parsed)) return [parsed];
  throw notEnvelope(provider, 'expected a JSON object or array');
}

// eslint-disable-next-line no-control-regex
const UNREPRESENTABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/;

/**
 * Provider tags → SendGrid categories. Providers allow more or longer tags than SendGrid; rather
 * than quarantine the event for it, names are cut to 255 characters and only the first 10
 * distinct ones kept, in the order given. Tags that could never be listed (control characters)
 * are skipped.
 */
export function categoriesOf(tags: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    if (typeof t !== 'string' || t === '' || UNREPRESENTABLE.test(t)) continue;
    const name = [...t].slice(0, MAX_CATEGORY_LENGTH).join('');
    if (!out.includes(name)) out.push(name);
    if (out.length === MAX_CATEGORIES_PER_EVENT) break;
  }
  return out;
}

/** Unix seconds from epoch seconds (float or numeric text) or an ISO 8601 date-time. */
export function unixSeconds(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.floor(v);
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.floor(Number(v));
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** A message + recipient, SPEC section 7's unit: `<provider>:<message id>:<recipient>`. */
export interface Unit {
  provider: string;
  messageId: string;
  email: string;
  timestamp: number;
  categories: string[];
  /** When the provider says when the message was sent: the day its request counts on. */
  sentAt?: number;
}

export function unitId(u: Unit): string {
  return `${u.provider}:${u.messageId}:${u.email.toLowerCase()}`;
}

/** A SendGrid-dialect event of this unit. */
export function eventOf(u: Unit, event: string, extra: Json = {}, dedupeKey?: string): MappedEvent {
  const e: MappedEvent = {
    event: { event, timestamp: u.timestamp, email: u.email, sg_message_id: unitId(u), category: u.categories, ...extra },
  };
  if (dedupeKey !== undefined) e.dedupeKey = dedupeKey;
  return e;
}

/**
 * A send-side outcome (delivered, deferred, bounce) plus the request it implies (J1): a
 * `processed` keyed `request:<unit>`, so only the first outcome of a unit to arrive counts it.
 * It is dated by the message's send time where the provider gives one (then its day does not
 * depend on which outcome arrives first), else by the outcome's own time.
 * Drops are not given one: SPEC section 5 already counts a `dropped` event as a request.
 */
export function sendSide(u: Unit, event: string, extra: Json = {}, dedupeKey?: string): MappedEvent[] {
  const request = eventOf(u.sentAt === undefined ? u : { ...u, timestamp: u.sentAt }, 'processed').event;
  return [eventOf(u, event, extra, dedupeKey), { event: request, dedupeKey: `request:${unitId(u)}` }];
}

/** A unit from the fields every adapter must find, or the reason the item is quarantined. */
export function unitFrom(provider: string, fields: { messageId: unknown; email: unknown; timestamp: unknown; tags?: readonly unknown[]; sentAt?: unknown }): Unit | string {
  const messageId = str(fields.messageId);
  const email = str(fields.email);
  const timestamp = unixSeconds(fields.timestamp);
  if (messageId === undefined) return `${provider}: the event names no message id`;
  if (email === undefined) return `${provider}: the event names no recipient`;
  if (timestamp === undefined) return `${provider}: the event has no readable time`;
  const unit: Unit = { provider, messageId, email, timestamp, categories: categoriesOf(fields.tags ?? []) };
  const sentAt = unixSeconds(fields.sentAt);
  if (sentAt !== undefined) unit.sentAt = sentAt;
  return unit;
}

/** Wraps an adapter's per-item mapping: a unit error or an unknown type quarantines the item. */
export function item(original: unknown, mapped: MappedEvent[] | string): ProviderItem {
  return { original, mapped: typeof mapped === 'string' ? { error: mapped } : mapped };
}

export const ignored: MappedEvent[] = [];
