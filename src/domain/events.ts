// SendGrid Event Webhook events → validated, normalised events (SPEC sections 4 and 5).
// Pure: the customer's time zone is passed in; nothing here touches storage or the clock.
import { createHash } from 'node:crypto';
import { dayOf } from './calendar.js';
import { type Metric, metricsOf } from './metrics.js';

export const EVENT_TYPES = [
  'processed',
  'dropped',
  'delivered',
  'deferred',
  'bounce',
  'open',
  'click',
  'spamreport',
  'unsubscribe',
  'group_unsubscribe',
  'group_resubscribe',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
const EVENT_SET: ReadonlySet<string> = new Set(EVENT_TYPES);

export const MAX_CATEGORIES_PER_EVENT = 10;
export const MAX_CATEGORY_LENGTH = 255;
/** Above this a timestamp is read as milliseconds (SPEC section 5). */
const MILLIS_THRESHOLD = 1e11;
/** 9999-12-30T00:00:00Z: its day is still a YYYY-MM-DD date in every time zone (≤ UTC+14). */
const MAX_SECONDS = 253_402_128_000;

export interface NormalizedEvent {
  event: EventType;
  /** Unix seconds. */
  timestamp: number;
  /** Epoch day in the customer's time zone. */
  day: number;
  /** Distinct category names, in the order given. */
  categories: string[];
  /** The metrics this event bumps by one, apart from unique opens/clicks. */
  metrics: Metric[];
  /** 16-byte deduplication key (SPEC section 4). */
  fingerprint: Buffer;
  /** For opens and clicks: which first-seen marker decides uniqueness, and for which message. */
  unique: { kind: 'open' | 'click'; message: Buffer } | null;
}

export type Validation = { ok: true; event: NormalizedEvent } | { ok: false; error: string };

const fail = (error: string): Validation => ({ ok: false, error });

// XML 1.0 cannot carry these, and lone surrogates do not survive UTF-8; a category holding them
// could never be listed or queried, so such an event is rejected rather than stored broken.
// eslint-disable-next-line no-control-regex
const UNREPRESENTABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function optionalString(obj: Record<string, unknown>, field: string): string | undefined | Error {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : new Error(`${field}: must be a string`);
}

function parseCategories(raw: unknown): string[] | string {
  if (raw === undefined || raw === null) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list)) return 'category: must be a string or an array of strings';
  if (list.length > MAX_CATEGORIES_PER_EVENT) return `category: at most ${MAX_CATEGORIES_PER_EVENT} categories per event`;
  for (const c of list) {
    if (typeof c !== 'string') return 'category: must be a string or an array of strings';
    if ([...c].length > MAX_CATEGORY_LENGTH) return `category: names may have at most ${MAX_CATEGORY_LENGTH} characters`;
    if (UNREPRESENTABLE.test(c)) return 'category: contains control characters or unpaired surrogates';
  }
  return [...new Set(list as string[])];
}

function parseTimestamp(raw: unknown): number | string {
  if (typeof raw !== 'number' || !Number.isInteger(raw)) return 'timestamp: must be an integer (unix seconds)';
  const seconds = raw > MILLIS_THRESHOLD ? Math.floor(raw / 1000) : raw;
  if (seconds < 0 || seconds > MAX_SECONDS) return 'timestamp: out of range';
  return seconds;
}

function hash16(parts: Array<string | number | null>): Buffer {
  return createHash('sha256').update(JSON.stringify(parts)).digest().subarray(0, 16);
}

/**
 * `dedupeKey` (provider adapters): the provider's stable id, or `request:<unit>` for a derived
 * request, used instead of the SPEC section 4 fingerprint fields.
 */
export function validateEvent(raw: unknown, timeZone: string, dedupeKey?: string): Validation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('event must be a JSON object');
  const obj = raw as Record<string, unknown>;

  if (obj.event === undefined || obj.event === null) return fail('event: is required');
  if (typeof obj.event !== 'string' || !EVENT_SET.has(obj.event)) return fail(`event: must be one of ${EVENT_TYPES.join(', ')}`);
  const event = obj.event as EventType;

  if (obj.timestamp === undefined || obj.timestamp === null) return fail('timestamp: is required');
  const timestamp = parseTimestamp(obj.timestamp);
  if (typeof timestamp === 'string') return fail(timestamp);

  const categories = parseCategories(obj.category);
  if (typeof categories === 'string') return fail(categories);

  const fields: Record<string, string | undefined> = {};
  for (const f of ['sg_message_id', 'email', 'smtp-id', 'url', 'type', 'reason']) {
    const v = optionalString(obj, f);
    if (v instanceof Error) return fail(v.message);
    fields[f] = v;
  }
  const { sg_message_id: messageId, email, url, type, reason } = fields;

  const fingerprint = dedupeKey !== undefined ? hash16(['key', dedupeKey]) : hash16([
    event,
    timestamp,
    messageId ?? null,
    email ?? null,
    event === 'click' ? (url ?? null) : null,
    event === 'bounce' || event === 'dropped' ? (type ?? null) : null,
    event === 'bounce' || event === 'dropped' ? (reason ?? null) : null,
  ]);

  let unique: NormalizedEvent['unique'] = null;
  if (event === 'open' || event === 'click') {
    // A message is its sg_message_id, or email + smtp-id when that is absent.
    const message = messageId !== undefined ? hash16(['id', messageId]) : hash16(['email', email ?? null, fields['smtp-id'] ?? null]);
    unique = { kind: event, message };
  }

  return {
    ok: true,
    event: {
      event,
      timestamp,
      day: dayOf(timestamp, timeZone),
      categories,
      metrics: metricsOf({ event, type, reason, machineOpen: obj.sg_machine_open === true }),
      fingerprint,
      unique,
    },
  };
}
