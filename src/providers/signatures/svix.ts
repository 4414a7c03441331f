// Resend signs with Svix ("Standard Webhooks"): `svix-signature` holds space-separated `v1,<b64>`
// entries, each an HMAC-SHA256 over `${svix-id}.${svix-timestamp}.${body}` keyed with the
// base64 part of the `whsec_…` secret (docs.svix.com, "Verifying payloads manually").
// The secret decoding and the signature itself come from `standardwebhooks`, the library Resend's
// SDK verifies with. Its verify() reads the wall clock, so the ±5 minute window (the library's own
// WEBHOOK_TOLERANCE_IN_SECONDS) is checked here against the caller's `nowSeconds` instead.
import { timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export const SVIX_TOLERANCE_SECONDS = 5 * 60;
/** More entries than any key rotation produces; bounds the work one request can ask for. */
const MAX_SIGNATURES = 16;

function webhookFor(secret: string): Webhook | null {
  try {
    return new Webhook(secret.trim());
  } catch {
    return null;
  }
}

/** True when `secret` is a usable Svix/Resend signing secret (`whsec_` + base64). */
export function isSvixSecret(secret: string): boolean {
  return /^(whsec_)?[A-Za-z0-9+/]+={0,2}$/.test(secret.trim()) && webhookFor(secret) !== null;
}

export function verifySvixSignature(
  secret: string,
  headers: { id?: string; timestamp?: string; signature?: string },
  body: Buffer,
  nowSeconds: number,
): boolean {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const seconds = Number(timestamp);
  if (Math.abs(nowSeconds - seconds) > SVIX_TOLERANCE_SECONDS) return false;
  const webhook = webhookFor(secret);
  if (!webhook) return false;
  const expected = Buffer.from(webhook.sign(id, new Date(seconds * 1000), body).slice('v1,'.length), 'utf8');
  const entries = signature.split(' ').slice(0, MAX_SIGNATURES);
  let ok = false;
  for (const entry of entries) {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || value === undefined) continue;
    const given = Buffer.from(value, 'utf8');
    // Every entry is compared, so the time taken does not tell which one matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}
