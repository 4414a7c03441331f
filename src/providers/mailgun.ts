// Mailgun webhooks (v3 "event-data" JSON, one event per POST). research/providers.md 2.1, 4.
import { type Json, type Unit, eventOf, ignored, isObject, item, notEnvelope, obj, parseJson, sendSide, str, unitFrom } from './mapping.js';
import type { MappedEvent, ProviderAdapter, ProviderItem, ProviderRequest } from './types.js';

// Mailgun's "Do Not Send" drops arrive as permanent failures with these reasons (J4), or with
// the legacy codes 605/606/607 when the reason is missing.
const SUPPRESSION_REASONS: Record<string, string> = {
  'suppress-bounce': 'Bounced Address',
  'suppress-unsubscribe': 'Unsubscribed Address',
  'suppress-complaint': 'Spam Reporting Address',
};
const SUPPRESSION_CODES: Record<number, string> = { 605: 'Bounced Address', 606: 'Unsubscribed Address', 607: 'Spam Reporting Address' };
// Terminal but not a hard bounce: Mailgun gave up retrying, or the receiving ESP blocked (J2).
const BLOCK_REASONS = new Set(['old', 'espblock']);

function failed(data: Json, unit: Unit, key: string | undefined): MappedEvent[] {
  const status = obj(data['delivery-status']);
  const text = str(status.description) ?? str(status.message) ?? str(data.reason) ?? 'failed';
  if (data.severity === 'temporary') return sendSide(unit, 'deferred', { response: text }, key);
  const reason = str(data.reason) ?? '';
  const drop = SUPPRESSION_REASONS[reason] ?? (typeof status.code === 'number' ? SUPPRESSION_CODES[status.code] : undefined);
  if (drop) return [eventOf(unit, 'dropped', { reason: drop }, key)];
  return sendSide(unit, 'bounce', { type: BLOCK_REASONS.has(reason) ? 'blocked' : 'bounce', reason: text }, key);
}

function addressOf(header: unknown): string | undefined {
  const text = str(header);
  return text === undefined ? undefined : (/<([^<>]+)>/.exec(text)?.[1] ?? text).trim();
}

function mapEvent(data: Json): MappedEvent[] | string {
  const message = obj(data.message);
  const headers = obj(message.headers);
  const unit = unitFrom('mailgun', {
    messageId: headers['message-id'],
    // `rejected` names no recipient field, only the To header ("Name <address>").
    email: data.recipient ?? addressOf(headers.to),
    timestamp: data.timestamp,
    tags: Array.isArray(data.tags) ? data.tags : [],
  });
  if (typeof unit === 'string') return unit;
  // event-data.id is unique only within a day (M6): with the timestamp it is stable across retries.
  const key = str(data.id) ? `mailgun:${str(data.id)}:${String(data.timestamp)}` : undefined;
  switch (data.event) {
    case 'accepted':
      // J1: requests come from the first outcome, so a suppressed recipient (accepted, then
      // dropped) is one request, as in SendGrid, not two.
      return ignored;
    case 'delivered':
      return sendSide(unit, 'delivered', {}, key);
    case 'failed':
      return failed(data, unit, key);
    case 'rejected':
      return [eventOf(unit, 'dropped', { reason: str(obj(data.reject).reason) ?? 'rejected' }, key)];
    case 'opened':
      // J5: only Apple Mail Privacy Protection fetches are machine opens.
      return [eventOf(unit, 'open', obj(data['client-info']).bot === 'apple' ? { sg_machine_open: true } : {}, key)];
    case 'clicked':
      return [eventOf(unit, 'click', { url: str(data.url) ?? '' }, key)];
    case 'unsubscribed':
      return [eventOf(unit, 'unsubscribe', {}, key)];
    case 'complained':
      return [eventOf(unit, 'spamreport', {}, key)];
    default:
      return `mailgun: unknown event type ${JSON.stringify(data.event)}`;
  }
}

/** The signature block the HMAC covers, for the route's check (not part of the mapping). */
export function mailgunSignatureOf(body: unknown): { timestamp: string; token: string; signature: string } | null {
  const s = obj(obj(body).signature);
  const [timestamp, token, signature] = [str(s.timestamp), str(s.token), str(s.signature)];
  return timestamp && token && signature ? { timestamp, token, signature } : null;
}

export const mailgunAdapter: ProviderAdapter = {
  name: 'mailgun',
  parse(request: ProviderRequest): ProviderItem[] {
    const body = parseJson(request);
    if (!isObject(body) || !isObject(body['event-data'])) throw notEnvelope('mailgun', 'expected an object with "event-data"');
    const data = body['event-data'];
    return [item(body, mapEvent(data))];
  },
};
