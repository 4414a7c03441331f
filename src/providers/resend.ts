// Resend webhooks (Svix): one {"type","created_at","data"} per POST. research/providers.md 2.7.
import { type Json, eventOf, ignored, isObject, item, notEnvelope, obj, parseJson, sendSide, str, unitFrom } from './mapping.js';
import type { MappedEvent, ProviderAdapter, ProviderItem, ProviderRequest } from './types.js';

/** `data.tags` is {name: value} (or a list of {name, value}); a category is `name:value`, or the name alone. */
function tagsOf(data: Json): string[] {
  const raw = data.tags;
  const pairs: Array<[unknown, unknown]> = Array.isArray(raw) ? raw.map((t) => [obj(t).name, obj(t).value]) : Object.entries(obj(raw));
  return pairs.filter(([k]) => typeof k === 'string' && k !== '').map(([k, v]) => (typeof v === 'string' && v !== '' ? `${k as string}:${v}` : (k as string)));
}

function bounced(data: Json, u: Exclude<ReturnType<typeof unitFrom>, string>, key: string | undefined): MappedEvent[] {
  const b = obj(data.bounce);
  const text = str(b.message) ?? 'bounce';
  // J4: Resend's SES-style subtypes for addresses on a suppression list are drops.
  if (b.subType === 'Suppressed' || b.subType === 'OnAccountSuppressionList') return [eventOf(u, 'dropped', { reason: 'Bounced Address' }, key)];
  return sendSide(u, 'bounce', { type: b.type === 'Transient' ? 'blocked' : 'bounce', reason: text }, key); // J2
}

function mapEvent(body: Json, svixId: string | undefined): MappedEvent[] | string {
  const type = str(body.type) ?? '';
  if (!type.startsWith('email.')) return ignored; // contact.*, domain.*, suppression.*: no message
  const data = obj(body.data);
  // One event per recipient, but which one is not said: the first `to` (as anymail does).
  const to = Array.isArray(data.to) ? data.to[0] : data.to;
  // data.created_at is when the email was created: the day its request counts on.
  const unit = unitFrom('resend', { messageId: data.email_id, email: to, timestamp: body.created_at, tags: tagsOf(data), sentAt: data.created_at });
  if (typeof unit === 'string') return unit;
  // svix-id is the same on every retry of one message (R5); a file import has none: fingerprint.
  const key = svixId ? `resend:${svixId}` : undefined;
  switch (type) {
    case 'email.sent':
    case 'email.scheduled':
    case 'email.received':
      return ignored; // J1: the request is counted by the first outcome
    case 'email.delivered':
      return sendSide(unit, 'delivered', {}, key);
    case 'email.delivery_delayed':
      return sendSide(unit, 'deferred', {}, key);
    case 'email.bounced':
      return bounced(data, unit, key);
    case 'email.suppressed':
      return [eventOf(unit, 'dropped', { reason: /complain|spam/i.test(str(obj(data.suppressed).type) ?? '') ? 'Spam Reporting Address' : 'Bounced Address' }, key)];
    case 'email.failed': {
      const reason = str(obj(data.failed).reason) ?? 'failed';
      return [eventOf(unit, 'dropped', { reason: /invalid/i.test(reason) ? 'Invalid' : reason }, key)];
    }
    case 'email.complained':
      return [eventOf(unit, 'spamreport', {}, key)];
    case 'email.opened':
      return [eventOf(unit, 'open', {}, key)];
    case 'email.clicked':
      return [eventOf(unit, 'click', { url: str(obj(data.click).link) ?? '' }, key)];
    default:
      return `resend: unknown event type ${JSON.stringify(type)}`;
  }
}

export const resendAdapter: ProviderAdapter = {
  name: 'resend',
  parse(request: ProviderRequest): ProviderItem[] {
    const body = parseJson(request);
    if (!isObject(body) || typeof body.type !== 'string') throw notEnvelope('resend', 'expected an object with "type"');
    return [item(body, mapEvent(body, request.headers['svix-id']))];
  },
};
