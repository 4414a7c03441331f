// Mailjet Event API: one object per POST, or an array when the callback is grouped (Version 2).
// research/providers.md 2.5, J2, J4, J11.
import { type Json, eventOf, isObject, item, objectOrArray, parseJson, sendSide, str, unitFrom } from './mapping.js';
import type { MappedEvent, ProviderAdapter, ProviderItem, ProviderRequest } from './types.js';

/**
 * J11: MessageID exceeds 2^53 (e.g. 19421777396190490) and JSON.parse would round it. A number
 * of 16+ digits after a "MessageID" key is quoted before parsing; the key text cannot occur
 * unescaped inside a JSON string, so only real keys match. A regex keeps us off a bignum JSON
 * dependency for one field (Node 20 has no JSON.parse source text access).
 */
export function quoteBigIds(text: string): string {
  return text.replace(/("(?:MessageID|mj_message_id|mj_campaign_id|mj_contact_id)"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"');
}

// J4: Mailjet's `blocked` errors that name a list.
const BLOCKED_REASONS: Record<string, string> = {
  preblocked: 'Bounced Address',
  'spam reporter': 'Spam Reporting Address',
  blacklisted: 'Unsubscribed Address',
  typofix: 'Invalid',
};

function mapEvent(e: Json): MappedEvent[] | string {
  const unit = unitFrom('mailjet', { messageId: e.MessageID ?? e.Message_GUID, email: e.email, timestamp: e.time, tags: [e.customcampaign] });
  if (typeof unit === 'string') return unit;
  const error = str(e.error) ?? '';
  switch (e.event) {
    case 'sent':
      return sendSide(unit, 'delivered');
    case 'bounce':
      // J2: greylisting is retried; other soft bounces are final, so blocks.
      if (error === 'greylisted' && e.hard_bounce !== true) return sendSide(unit, 'deferred', { response: error });
      return sendSide(unit, 'bounce', { type: e.hard_bounce === true ? 'bounce' : 'blocked', reason: error || 'bounce' });
    case 'blocked': {
      const reason = BLOCKED_REASONS[error] ?? (e.error_related_to === 'spam' ? 'Spam Content' : error || 'blocked');
      return [eventOf(unit, 'dropped', { reason })];
    }
    case 'open':
      return [eventOf(unit, 'open')];
    case 'click':
      return [eventOf(unit, 'click', { url: str(e.url) ?? '' })];
    case 'spam':
      return [eventOf(unit, 'spamreport')];
    case 'unsub':
      return [eventOf(unit, 'unsubscribe')];
    default:
      return `mailjet: unknown event type ${JSON.stringify(e.event)}`;
  }
}

const mapElement = (e: unknown): ProviderItem => item(e, isObject(e) ? mapEvent(e) : 'mailjet: event is not an object');

export const mailjetAdapter: ProviderAdapter = {
  name: 'mailjet',
  parse(request: ProviderRequest): ProviderItem[] {
    return objectOrArray('mailjet', parseJson(request, quoteBigIds(request.body.toString('utf8')))).map(mapElement);
  },
  // quoteBigIds only touches `"MessageID": <digits>` inside an element, so slices can be quoted alone.
  arrayElements: { map: mapElement, prepare: quoteBigIds },
};

