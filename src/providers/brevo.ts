// Brevo (Sendinblue) transactional webhooks: one object per POST, or an array when the webhook
// is batched. research/providers.md 2.6, J2, J4, J5, J12.
import { type Json, eventOf, ignored, isObject, item, objectOrArray, parseJson, sendSide, str, unitFrom } from './mapping.js';
import type { MappedEvent, ProviderAdapter, ProviderItem, ProviderRequest } from './types.js';

/** Brevo's `tags` array, else `tag`, which is sometimes the JSON text of an array. */
function tagsOf(e: Json): unknown[] {
  if (Array.isArray(e.tags)) return e.tags;
  if (typeof e.tag !== 'string') return [];
  if (e.tag.startsWith('[')) {
    try {
      const list: unknown = JSON.parse(e.tag);
      if (Array.isArray(list)) return list;
    } catch {
      // not JSON: a plain tag that starts with a bracket
    }
  }
  return [e.tag];
}

/** J4: Brevo's `blocked` names no list; its reason text sometimes does. Default: bounced. */
function blockedReason(text: string): string {
  if (/unsubscri/i.test(text)) return 'Unsubscribed Address';
  if (/spam|complain/i.test(text)) return 'Spam Reporting Address';
  return 'Bounced Address';
}

function mapEvent(e: Json): MappedEvent[] | string {
  // J12: ts_event is UTC seconds; ts_epoch is documented as ms but seen as seconds (the
  // validator reads values above 10^11 as ms, so both work).
  const unit = unitFrom('brevo', { messageId: e['message-id'], email: e.email, timestamp: e.ts_event ?? e.ts_epoch ?? e.ts, tags: tagsOf(e) });
  if (typeof unit === 'string') return unit;
  const reason = str(e.reason) ?? '';
  switch (e.event) {
    case 'request':
    case 'list_addition':
      return ignored; // J1: requests come from the first outcome, so a blocked send counts once
    case 'delivered':
      return sendSide(unit, 'delivered');
    case 'deferred':
      return sendSide(unit, 'deferred', { response: reason || 'deferred' });
    case 'hard_bounce':
      return sendSide(unit, 'bounce', { type: 'bounce', reason: reason || 'hard bounce' });
    case 'soft_bounce':
      return sendSide(unit, 'bounce', { type: 'blocked', reason: reason || 'soft bounce' }); // J2
    case 'blocked':
      return [eventOf(unit, 'dropped', { reason: blockedReason(reason) })];
    case 'invalid_email':
      return [eventOf(unit, 'dropped', { reason: 'Invalid' })];
    case 'error':
      return [eventOf(unit, 'dropped', { reason: reason || 'error' })];
    case 'spam':
    case 'complaint':
      return [eventOf(unit, 'spamreport')];
    case 'opened':
    case 'unique_opened':
      return [eventOf(unit, 'open')];
    case 'proxy_open':
    case 'unique_proxy_open':
    case 'unique_proxy_opened':
      return [eventOf(unit, 'open', { sg_machine_open: true })]; // J5
    case 'click':
      return [eventOf(unit, 'click', { url: str(e.link) ?? '' })];
    case 'unsubscribe':
    case 'unsubscribed':
      return [eventOf(unit, 'unsubscribe')];
    default:
      return `brevo: unknown event type ${JSON.stringify(e.event)}`;
  }
}

const mapElement = (e: unknown): ProviderItem => item(e, isObject(e) ? mapEvent(e) : 'brevo: event is not an object');

export const brevoAdapter: ProviderAdapter = {
  name: 'brevo',
  parse(request: ProviderRequest): ProviderItem[] {
    return objectOrArray('brevo', parseJson(request)).map(mapElement);
  },
  arrayElements: { map: mapElement },
};
