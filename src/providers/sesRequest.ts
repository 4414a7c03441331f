// What POST /webhooks/ses does before the shared ingest path: SNS messages are verified (signature,
// TopicArn allowlist, age), a SubscriptionConfirmation is confirmed only after that, and only then
// are the records mapped. EventBridge events and bare records carry no signature (EventBridge API
// destinations authenticate with the reseller's Basic credentials, as every webhook route does).
import { ApiError } from '../domain/errors.js';
import { sesAdapter, sesItem, sesSnsEnvelope } from './ses.js';
import { SubscriptionConfirmError, confirmSubscription } from './sns/confirm.js';
import { type SnsMessage, verifySnsMessage } from './sns/verify.js';
import type { ProviderItem, ProviderRequest } from './types.js';

/**
 * A signed SNS message older than this is refused: SNS stops retrying an HTTP endpoint within an
 * hour (its delivery policy caps the total at 3,600 s), so an older one can only be a replay.
 */
export const SNS_MAX_AGE_SECONDS = 24 * 3600;
/** Clock skew tolerated for a Timestamp in the future. */
export const SNS_MAX_SKEW_SECONDS = 15 * 60;

export interface SesRequestDeps {
  fetchCertificate: (url: string) => Promise<string>;
  fetchUrl: (url: string) => Promise<void>;
  /** The customer's allowed TopicArns; empty = any topic (the signature is still checked). */
  allowedTopicArns: readonly string[];
  nowSeconds: number;
}

export type SesRequestResult =
  /** Map and ingest these, as for any provider. */
  | { kind: 'items'; items: ProviderItem[] }
  /** A SubscriptionConfirmation was verified and confirmed: answer 200, nothing to ingest. */
  | { kind: 'confirmed'; topicArn: string };

const forbidden = (what: string) => new ApiError('forbidden', [what]);

/** Throws ApiError 403 unless the message is a genuine, fresh SNS message from an allowed topic. */
export async function checkSnsMessage(message: SnsMessage, deps: SesRequestDeps): Promise<void> {
  const verified = await verifySnsMessage(message, deps.fetchCertificate);
  if (!verified.ok) throw forbidden(`error in signature: ${verified.reason}`);
  if (deps.allowedTopicArns.length > 0 && !deps.allowedTopicArns.includes(message.TopicArn)) {
    throw forbidden('error in TopicArn: this topic is not on the customer\'s SES topic allowlist');
  }
  const sent = Date.parse(message.Timestamp);
  if (!Number.isFinite(sent)) throw forbidden('error in Timestamp: not a date');
  const age = deps.nowSeconds - Math.floor(sent / 1000);
  if (age > SNS_MAX_AGE_SECONDS || age < -SNS_MAX_SKEW_SECONDS) throw forbidden('error in Timestamp: the message is too old or from the future (a replay?)');
}

export async function handleSesRequest(request: ProviderRequest, deps: SesRequestDeps): Promise<SesRequestResult> {
  const message = sesSnsEnvelope(request);
  if (message === null) return { kind: 'items', items: sesAdapter.parse(request) };
  await checkSnsMessage(message, deps);
  if (message.Type === 'SubscriptionConfirmation') {
    try {
      await confirmSubscription(message, deps.fetchUrl);
    } catch (e) {
      if (e instanceof SubscriptionConfirmError) throw forbidden(`error in SubscribeURL: ${e.message}`);
      // SNS retries the confirmation request on a 5xx; the reseller can also re-request it.
      throw new ApiError('unavailable', ['could not confirm the SNS subscription (SubscribeURL did not answer 200); retry later'], 60);
    }
    return { kind: 'confirmed', topicArn: message.TopicArn };
  }
  return { kind: 'items', items: [sesItem(message)] };
}

const TOPIC_ARN = /^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** Parses a comma/space separated TopicArn allowlist (what `set-webhook-key --provider ses` takes). */
export function parseTopicArnAllowlist(text: string): string[] {
  const arns = text.split(/[\s,]+/).filter((a) => a !== '');
  if (arns.length === 0) throw new Error('give at least one SNS TopicArn, e.g. arn:aws:sns:us-east-1:123456789012:ses-events');
  for (const arn of arns) if (!TOPIC_ARN.test(arn)) throw new Error(`not an SNS TopicArn: ${arn.slice(0, 300)}`);
  return [...new Set(arns)];
}
