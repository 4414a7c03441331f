// An SNS subscription is confirmed by GETting its SubscribeURL. Only ever called for a message
// whose signature verified (and whose TopicArn the customer allows): confirming an unverified
// message would let anyone point an SNS topic of theirs at this server. The URL must be an SNS
// regional endpoint too, so a forged but "verified" field cannot make the server fetch elsewhere.
import { isSnsUrl, type SnsMessage } from './verify.js';

export class SubscriptionConfirmError extends Error {}

export async function confirmSubscription(message: SnsMessage, fetchUrl: (url: string) => Promise<void>): Promise<void> {
  if (message.Type !== 'SubscriptionConfirmation') throw new SubscriptionConfirmError('not a SubscriptionConfirmation');
  const url = message.SubscribeURL;
  if (typeof url !== 'string' || !isSnsUrl(url, false)) throw new SubscriptionConfirmError('SubscribeURL is not an https://sns.<region>.amazonaws.com/ URL');
  await fetchUrl(url);
}
