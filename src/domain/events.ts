// SendGrid Event Webhook events → validated, normalised events (SPEC sections 4 and 5).
// Pure: the customer's time zone is passed in; nothing here touches storage or the clock.
import { createHash } from 'node:crypto';
import { dayOf } from './calendar.js';
import { type Metric, metricsOf } from './metrics.js';
import { type SuppressionAdd, suppressionOf } from './suppression.js';

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
  // Twilio's account events (compliance actions on the sending account): accepted, no metric.
  'account_status_change',
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
  /** Which provider's webhook (or import) it came through, for the per-provider rollup; absent = `sendgrid`. */
  provider?: string;
  /** The address this event puts on a suppression list (SPEC section 9), if any. */
  suppression?: SuppressionAdd;
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

// SendGrid passes a sender's custom arguments through as top-level fields, and a reserved name
// wins only on the event types that define it. So `url` on a delivered event, `type` on an open
// or `reason` on a processed event is a custom argument of any JSON type: it is ignored, and left
// out of the fingerprint. A field is read (and must then be a string) only on the types where it
// decides the metrics or the identity of the event (SPEC sections 4 and 5).
const URL_ON: ReadonlySet<string> = new Set(['click']);
const TYPE_ON: ReadonlySet<string> = new Set(['bounce', 'account_status_change']);
const REASON_ON: ReadonlySet<string> = new Set(['bounce', 'dropped']);

interface IdentityFields {
  messageId?: string | undefined;
  email?: string | undefined;
  smtpId?: string | undefined;
  url?: string | undefined;
  type?: string | undefined;
  reason?: string | undefined;
}

const stringOrAbsent = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function identityFields(obj: Record<string, unknown>, event: EventType): IdentityFields | string {
  const out: IdentityFields = {};
  // Reserved on every event type, so never a custom argument.
  const reserved: Array<[keyof IdentityFields, string]> = [['messageId', 'sg_message_id'], ['email', 'email']];
  if (URL_ON.has(event)) reserved.push(['url', 'url']);
  if (TYPE_ON.has(event)) reserved.push(['type', 'type']);
  if (REASON_ON.has(event)) reserved.push(['reason', 'reason']);
  for (const [key, field] of reserved) {
    const v = optionalString(obj, field);
    if (v instanceof Error) return v.message;
    out[key] = v;
  }
  // Drops have no `type` of SendGrid's own, but SPEC section 4 puts it in their fingerprint: a
  // string counts there, anything else is a custom argument.
  if (event === 'dropped') out.type = stringOrAbsent(obj.type);
  // smtp-id only keys the message of an open or click that lacks sg_message_id; SendGrid does
  // not define it on those types, so a value that is not a string is a custom argument.
  if (event === 'open' || event === 'click') out.smtpId = stringOrAbsent(obj['smtp-id']);
  return out;
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

  const fields = identityFields(obj, event);
  if (typeof fields === 'string') return fail(fields);
  const { messageId, email, smtpId, url, type, reason } = fields;
  // A bounce's enhanced status code (5.1.1) is shown on the bounce and block lists. It is read
  // only on bounces, where SendGrid defines it, and never enters the fingerprint, so events
  // stored before suppression lists existed still deduplicate against their retries.
  const status = event === 'bounce' ? stringOrAbsent(obj.status) : undefined;

  const fingerprint =
    dedupeKey !== undefined
      ? hash16(['key', dedupeKey])
      : hash16([event, timestamp, messageId ?? null, email ?? null, url ?? null, type ?? null, reason ?? null]);

  let unique: NormalizedEvent['unique'] = null;
  if (event === 'open' || event === 'click') {
    // A message is its sg_message_id, or email + smtp-id when that is absent.
    const message = messageId !== undefined ? hash16(['id', messageId]) : hash16(['email', email ?? null, smtpId ?? null]);
    unique = { kind: event, message };
  }

  const metrics = metricsOf({ event, type, reason, machineOpen: obj.sg_machine_open === true });
  const normalized: NormalizedEvent = { event, timestamp, day: dayOf(timestamp, timeZone), categories, metrics, fingerprint, unique };
  const suppression = suppressionOf({ event, metrics, email, status, reason });
  if (suppression) normalized.suppression = suppression;
  return { ok: true, event: normalized };
}
