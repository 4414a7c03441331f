// Postal webhooks: one {"event","timestamp","payload","uuid"} per POST. research/providers.md 2.8, J2, J8.
import { type Json, eventOf, ignored, isObject, item, notEnvelope, obj, parseJson, sendSide, str, unitFrom } from './mapping.js';
import type { MappedEvent, ProviderAdapter, ProviderItem, ProviderRequest } from './types.js';

// J2: a HardFail after Postal gave up on soft failures is terminal but not a hard bounce.
const GAVE_UP = /\bmax(imum)?\b[^.]*\b(attempts|retries)\b|too many soft fail/i;

function mapEvent(body: Json): MappedEvent[] | string {
  const payload = obj(body.payload);
  const message = obj(payload.message ?? payload.original_message);
  if (message.direction === 'incoming') return ignored;
  const event = body.event;
  if (event === 'DomainDNSError' || event === 'SendLimitApproaching' || event === 'SendLimitExceeded') return ignored;
  const unit = unitFrom('postal', {
    messageId: message.message_id ?? message.id,
    email: message.to,
    timestamp: payload.timestamp ?? body.timestamp,
    tags: [message.tag],
    sentAt: message.timestamp,
  });
  if (typeof unit === 'string') return unit;
  // One uuid per webhook request, reused on every attempt (PO1).
  const key = str(body.uuid) ? `postal:${str(body.uuid)}` : undefined;
  const details = str(payload.details) ?? '';
  switch (event) {
    case 'MessageSent':
      return sendSide(unit, 'delivered', {}, key);
    case 'MessageDelayed':
      return sendSide(unit, 'deferred', { response: details || 'delayed' }, key);
    case 'MessageDeliveryFailed':
      return sendSide(unit, 'bounce', { type: GAVE_UP.test(details) ? 'blocked' : 'bounce', reason: details || 'failed' }, key);
    case 'MessageBounced':
      return sendSide(unit, 'bounce', { type: 'bounce', reason: str(obj(payload.bounce).subject) ?? 'bounced' }, key);
    case 'MessageHeld':
      // J8: only a suppression-list hold is final; other holds may be released.
      return /suppression list/i.test(details) ? [eventOf(unit, 'dropped', { reason: 'Bounced Address' }, key)] : ignored;
    case 'MessageLoaded':
      return [eventOf(unit, 'open', {}, key)];
    case 'MessageLinkClicked':
      return [eventOf(unit, 'click', { url: str(payload.url) ?? '' }, key)];
    default:
      return `postal: unknown event type ${JSON.stringify(event)}`;
  }
}

export const postalAdapter: ProviderAdapter = {
  name: 'postal',
  parse(request: ProviderRequest): ProviderItem[] {
    const body = parseJson(request);
    if (!isObject(body) || typeof body.event !== 'string' || !isObject(body.payload)) throw notEnvelope('postal', 'expected an object with "event" and "payload"');
    return [item(body, mapEvent(body))];
  },
};
