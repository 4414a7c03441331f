// Postmark webhooks (one JSON object per POST, by RecordType). research/providers.md 2.2, J3, J9.
import { type Json, type Unit, eventOf, ignored, isObject, item, notEnvelope, parseJson, sendSide, str, unitFrom } from './mapping.js';
import type { MappedEvent, ProviderAdapter, ProviderItem, ProviderRequest } from './types.js';

type Outcome = (u: Unit, key: string | undefined, text: string, name: string) => MappedEvent[];
const bounce: Outcome = (u, key, text) => sendSide(u, 'bounce', { type: 'bounce', reason: text }, key);
const block: Outcome = (u, key, text) => sendSide(u, 'bounce', { type: 'blocked', reason: text }, key);
const deferred: Outcome = (u, key, text) => sendSide(u, 'deferred', { response: text }, key);
const drop =
  (reason?: string): Outcome =>
  (u, key, _text, name) => [eventOf(u, 'dropped', { reason: reason ?? name }, key)];
const none: Outcome = () => ignored;

// J3: Bounce TypeCode → outcome (codes from postmark.js Bounce.ts, meanings from the bounce API).
const BOUNCE_TYPES: Record<number, Outcome> = {
  1: bounce, // HardBounce
  2048: bounce, // Unknown
  100006: block, // Blocked
  100009: block, // DMARCPolicy
  512: block, // SpamNotification
  8192: block, // VirusNotification
  4096: block, // SoftBounce: Postmark stopped trying (J2)
  2: deferred, // Transient
  256: deferred, // DnsError
  100000: drop('Invalid'), // BadEmailAddress
  100007: drop(), // SMTPApiError
  100010: drop(), // TemplateRenderingFailed
  100002: drop(), // ManuallyDeactivated
  100003: drop(), // Unconfirmed
  16: (u, key) => [eventOf(u, 'unsubscribe', {}, key)], // Unsubscribe
  100001: (u, key) => [eventOf(u, 'spamreport', {}, key)], // SpamComplaint
  64: none, // AutoResponder
  128: none, // AddressChange
  32: none, // Subscribe
  16384: none, // ChallengeVerification
  1024: none, // OpenRelayTest
  100008: none, // InboundError
};

function mapRecord(r: Json, traceId: string | undefined): MappedEvent[] | string {
  const type = r.RecordType;
  const at: Record<string, unknown> = { Delivery: r.DeliveredAt, Bounce: r.BouncedAt, SpamComplaint: r.BouncedAt, Open: r.ReceivedAt, Click: r.ReceivedAt, SubscriptionChange: r.ChangedAt };
  if (typeof type !== 'string' || !(type in at)) return `postmark: unknown RecordType ${JSON.stringify(type)}`;
  const unit = unitFrom('postmark', { messageId: r.MessageID, email: r.Recipient ?? r.Email, timestamp: at[type], tags: [r.Tag] });
  if (typeof unit === 'string') return unit;
  // The trace id is the same on every retry of one webhook (P2); Bounce/SpamComplaint have their own ID.
  const key = traceId ? `postmark:trace:${traceId}` : str(r.ID) ? `postmark:${type}:${str(r.ID)}` : undefined;
  switch (type) {
    case 'Delivery':
      return sendSide(unit, 'delivered', {}, key);
    case 'Bounce': {
      const outcome = typeof r.TypeCode === 'number' ? BOUNCE_TYPES[r.TypeCode] : undefined;
      if (!outcome) return `postmark: unknown bounce TypeCode ${JSON.stringify(r.TypeCode)}`;
      return outcome(unit, key, str(r.Description) ?? str(r.Details) ?? str(r.Type) ?? 'bounce', str(r.Type) ?? `TypeCode ${String(r.TypeCode)}`);
    }
    case 'SpamComplaint':
      return [eventOf(unit, 'spamreport', {}, key)];
    case 'Open':
      return [eventOf(unit, 'open', {}, key)];
    case 'Click':
      return [eventOf(unit, 'click', { url: str(r.OriginalLink) ?? '' }, key)];
    default:
      // SubscriptionChange. J9: a suppression for a hard bounce or spam complaint repeats the
      // Bounce/SpamComplaint webhook already counted; only a manual suppression is an unsubscribe.
      return r.SuppressSending === true && r.SuppressionReason === 'ManualSuppression' ? [eventOf(unit, 'unsubscribe', {}, key)] : ignored;
  }
}

export const postmarkAdapter: ProviderAdapter = {
  name: 'postmark',
  parse(request: ProviderRequest): ProviderItem[] {
    const body = parseJson(request);
    if (!isObject(body) || typeof body.RecordType !== 'string') throw notEnvelope('postmark', 'expected an object with "RecordType"');
    return [item(body, mapRecord(body, request.headers['x-pm-webhook-trace-id']))];
  },
};
