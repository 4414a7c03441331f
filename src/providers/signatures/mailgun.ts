// Mailgun webhook signature: hex HMAC-SHA256, keyed with the account's "HTTP webhook signing
// key", over `timestamp` followed by `token` (documentation.mailgun.com, "Securing webhooks").
// Mailgun's Node SDK has no verify helper (mailgun.js lib/Classes/Webhooks.ts), so node:crypto
// does it as Mailgun's own snippet does. The signature does not cover event-data: replays with
// another body are the caller's concern (remember tokens, SPEC section 7).
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

export function verifyMailgunSignature(signingKey: string, signature: { timestamp: string; token: string; signature: string }): boolean {
  if (signingKey === '' || typeof signature.timestamp !== 'string' || typeof signature.token !== 'string') return false;
  if (typeof signature.signature !== 'string' || !HEX_SHA256.test(signature.signature)) return false;
  const expected = createHmac('sha256', signingKey).update(signature.timestamp + signature.token, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(signature.signature, 'hex'));
}
