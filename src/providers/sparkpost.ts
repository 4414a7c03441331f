// SparkPost webhooks: always a JSON array of {"msys":{"<class>_event":{…}}}; {"msys":{}} is the
// ping SparkPost sends when a webhook is created. research/providers.md 2.4, J2, J4, J6.
import { type Json, type Unit, eventOf, ignored, isObject, item, notEnvelope, obj, parseJson, sendSide, str, unitFrom } from './mapping.js';
import type { MappedEvent, ProviderAdapter, ProviderItem, ProviderRequest } from './types.js';

// bounce_class (SP4): Hard and Undetermined are bounces, Soft and Block terminal soft failures
// (J2); Admin failures are drops; auto-replies, subscribe and challenge messages change nothing.
const HARD = new Set([1, 10, 30, 90]);
const SOFT_OR_BLOCK = new Set([20, 21, 22, 23, 24, 40, 50, 51, 52, 53, 54, 70]);
const ADMIN = new Set([25, 26]);

function bounced(e: Json, u: Unit, key: string | undefined): MappedEvent[] {
  const cls = Number(e.bounce_class);
  const text = str(e.reason) ?? str(e.raw_reason) ?? 'bounce';
  if (HARD.has(cls)) return sendSide(u, 'bounce', { type: 'bounce', reason: text }, key);
  if (SOFT_OR_BLOCK.has(cls)) return sendSide(u, 'bounce', { type: 'blocked', reason: text }, key);
  if (ADMIN.has(cls)) return [eventOf(u, 'dropped', { reason: text }, key)];
  return ignored;
}

function mapEvent(e: Json): MappedEvent[] | string {
  const unit = unitFrom('sparkpost', {
    messageId: e.transmission_id ?? e.message_id,
    email: e.rcpt_to ?? e.raw_rcpt_to,
    timestamp: e.timestamp,
    tags: [e.campaign_id, ...(Array.isArray(e.rcpt_tags) ? e.rcpt_tags : [])],
    sentAt: e.injection_time,
  });
  if (typeof unit === 'string') return unit;
  const key = str(e.event_id) ? `sparkpost:${str(e.event_id)}` : undefined;
  switch (e.type) {
    case 'injection':
      return ignored; // J1: the request is counted by the first outcome, so drops count once
    case 'delivery':
      return sendSide(unit, 'delivered', {}, key);
    case 'delay':
      return sendSide(unit, 'deferred', { response: str(e.reason) ?? 'delayed' }, key);
    case 'bounce':
    case 'out_of_band':
      return bounced(e, unit, key);
    case 'policy_rejection':
    case 'generation_rejection':
      // J4: SparkPost does not say which list refused the recipient; class 10 is a bad address.
      return [eventOf(unit, 'dropped', { reason: Number(e.bounce_class) === 10 ? 'Invalid' : 'Bounced Address' }, key)];
    case 'generation_failure':
      return [eventOf(unit, 'dropped', { reason: str(e.reason) ?? 'generation failure' }, key)];
    case 'open':
    case 'amp_open':
      return [eventOf(unit, 'open', {}, key)];
    case 'initial_open':
    case 'amp_initial_open':
      return ignored; // J6: the top pixel of the same open; `open` counts it
    case 'click':
    case 'amp_click':
      return [eventOf(unit, 'click', { url: str(e.target_link_url) ?? '' }, key)];
    case 'spam_complaint':
      return [eventOf(unit, 'spamreport', {}, key)];
    case 'list_unsubscribe':
    case 'link_unsubscribe':
      return [eventOf(unit, 'unsubscribe', {}, key)];
    default:
      return `sparkpost: unknown event type ${JSON.stringify(e.type)}`;
  }
}

function mapElement(element: unknown): ProviderItem {
  const msys = obj(obj(element).msys);
  const classes = Object.keys(msys);
  if (!isObject(element) || !isObject(element.msys)) return item(element, 'sparkpost: element is not {"msys":{…}}');
  if (classes.length === 0) return item(element, ignored); // the ping
  const inner = msys[classes[0] as string];
  if (classes[0] === 'relay_event') return item(element, ignored); // inbound relay, not sending
  if (!isObject(inner)) return item(element, 'sparkpost: event body is not an object');
  return item(element, mapEvent(inner));
}

export const sparkpostAdapter: ProviderAdapter = {
  name: 'sparkpost',
  parse(request: ProviderRequest): ProviderItem[] {
    const body = parseJson(request);
    if (!Array.isArray(body)) throw notEnvelope('sparkpost', 'expected a JSON array');
    return body.map(mapElement);
  },
  arrayElements: { map: mapElement },
};
