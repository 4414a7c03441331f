// Amazon SES adapter. SES reaches mailtally three ways, all read here:
// - through SNS: a `text/plain` JSON body {Type, MessageId, TopicArn, Message, Signature, …} whose
//   Message is the SES record as a JSON string (docs.aws.amazon.com/sns/latest/dg/http-notification-json.html);
// - through EventBridge (an API destination): {version, id, "detail-type", source: "aws.ses", time, detail};
// - bare records (SNS raw message delivery, Firehose/S3 exports for `events import`).
// A body may also be a JSON array or NDJSON of these (exports). Pure: signatures, the TopicArn
// allowlist and subscription confirmation are in sesRequest.ts.
import { ApiError } from '../domain/errors.js';
import { mapSesRecord } from './sesRecord.js';
import type { SnsMessage } from './sns/verify.js';
import type { ProviderAdapter, ProviderItem, ProviderRequest } from './types.js';

const SNS_TYPES: ReadonlySet<string> = new Set(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']);

const bodyError = (what: string) => new ApiError('bad_request', [`error in body: ${what}`]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isSnsEnvelope(v: unknown): v is SnsMessage {
  return isObject(v) && typeof v.Type === 'string' && SNS_TYPES.has(v.Type) && typeof v.TopicArn === 'string' && typeof v.MessageId === 'string';
}

function isEventBridge(v: Record<string, unknown>): boolean {
  return typeof v['detail-type'] === 'string' && 'detail' in v && typeof v.id === 'string';
}

/** The body's values: one JSON value (an array is its elements), else NDJSON lines. */
function values(request: ProviderRequest): unknown[] {
  const text = request.body.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') throw bodyError('is empty');
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value : [value];
  } catch {
    // Not one JSON document: NDJSON (one record per line, as Firehose writes them).
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) throw bodyError('is not JSON: send what SNS or EventBridge posts, or a JSON array / NDJSON of SES records');
  return lines.map((line) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return { unparsable: line };
    }
  });
}

function snsItem(message: SnsMessage): ProviderItem {
  // Confirmations are handled (or ignored) by the route; as an item they count nothing.
  if (message.Type !== 'Notification') return { original: message, mapped: [] };
  if (typeof message.Message !== 'string') return { original: message, mapped: { error: 'SNS Message: must be a string' } };
  let record: unknown;
  try {
    record = JSON.parse(message.Message);
  } catch {
    // SES's first message on a new topic is plain text: "Successfully validated SNS topic for Amazon SES event publishing."
    return { original: message, mapped: [] };
  }
  return { original: message, mapped: mapSesRecord(record, { id: `sns:${message.MessageId}`, envelopeTime: message.Timestamp }) };
}

/** One body value (an SNS message, an EventBridge event or a bare record) as an item. */
export function sesItem(value: unknown): ProviderItem {
  if (isSnsEnvelope(value)) return snsItem(value);
  if (!isObject(value) || 'unparsable' in value) return { original: value, mapped: { error: 'not an SNS message, an EventBridge event or an SES record' } };
  if (isEventBridge(value)) {
    if (value.source !== 'aws.ses') return { original: value, mapped: { error: 'EventBridge event: source is not aws.ses' } };
    return { original: value, mapped: mapSesRecord(value.detail, { id: `eb:${value.id as string}`, envelopeTime: value.time }) };
  }
  return { original: value, mapped: mapSesRecord(value, {}) };
}

export const sesAdapter: ProviderAdapter = {
  name: 'ses',
  parse(request: ProviderRequest): ProviderItem[] {
    return values(request).map(sesItem);
  },
};

/**
 * The SNS message this request carries, for the route to verify, allowlist and confirm before
 * anything is applied; null when the body is not SNS (EventBridge, bare records). SNS posts one
 * message per request, so an SNS message inside an array is refused rather than left unverified.
 */
export function sesSnsEnvelope(request: ProviderRequest): SnsMessage | null {
  const claimed = request.headers['x-amz-sns-message-type'] !== undefined;
  if (request.headers['x-amz-sns-rawdelivery'] === 'true') {
    throw bodyError('SNS raw message delivery carries no signature: turn RawMessageDelivery off on the subscription');
  }
  let value: unknown;
  try {
    value = JSON.parse(request.body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    if (claimed) throw bodyError('is not an SNS message (x-amz-sns-message-type is set but the body is not JSON)');
    return null;
  }
  if (isSnsEnvelope(value)) return value;
  if (Array.isArray(value) && value.some(isSnsEnvelope)) throw bodyError('SNS messages are accepted one per request, as SNS posts them');
  if (claimed) throw bodyError('is not an SNS message (Type, MessageId and TopicArn are required)');
  return null;
}
