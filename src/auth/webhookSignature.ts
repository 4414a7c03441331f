// SendGrid's signed Event Webhook: an ECDSA P-256 / SHA-256 signature (DER, base64) in
// X-Twilio-Email-Event-Webhook-Signature over the X-Twilio-Email-Event-Webhook-Timestamp value
// followed by the raw body bytes. The customer's verification key is SendGrid's base64 DER
// (SubjectPublicKeyInfo) string, or the same key as PEM.
import { type KeyObject, createPublicKey, verify } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

export class WebhookKeyError extends Error {}

/** Accepts base64 DER or PEM; returns the key as PEM, or throws WebhookKeyError. */
export function normalizeWebhookKey(input: string): string {
  const text = input.trim();
  let key: KeyObject;
  try {
    key = text.includes('-----BEGIN')
      ? createPublicKey(text)
      : createPublicKey({ key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
  } catch {
    throw new WebhookKeyError('not a public key: give the base64 verification key from SendGrid, or a PEM public key');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new WebhookKeyError('the key must be an ECDSA P-256 public key, as SendGrid issues');
  }
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

const keys = new Map<string, KeyObject>();

function keyObject(pem: string): KeyObject {
  let key = keys.get(pem);
  if (!key) {
    if (keys.size >= 10_000) keys.clear();
    key = createPublicKey(pem);
    keys.set(pem, key);
  }
  return key;
}

export function verifyWebhookSignature(pem: string, timestamp: string, body: Buffer, signatureBase64: string): boolean {
  try {
    return verify('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), { key: keyObject(pem), dsaEncoding: 'der' }, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
