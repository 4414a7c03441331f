// Signature checks of the providers that sign their webhooks, applied once a customer has a key
// for that provider (`customer set-webhook-key <u> --provider <p>`). The verifiers are pure
// modules under providers/signatures/; tests may inject their own.
import { createHash } from 'node:crypto';
import { ApiError } from '../domain/errors.js';
import { mailgunSignatureOf } from '../providers/mailgun.js';
import { verifyMailgunSignature } from '../providers/signatures/mailgun.js';
import { verifyPostalSignature } from '../providers/signatures/postal.js';
import { verifySvixSignature } from '../providers/signatures/svix.js';
import { fetchSnsCertificate, fetchSnsUrl } from '../providers/sns/fetch.js';
import type { ProviderRequest } from '../providers/types.js';
import type { Customer, Store } from '../store/types.js';

export interface SignatureVerifiers {
  mailgun: typeof verifyMailgunSignature;
  svix: typeof verifySvixSignature;
  postal: typeof verifyPostalSignature;
  /** SNS signing certificates and SubscribeURL confirmations (tests serve their own). */
  fetchSnsCertificate?: (url: string) => Promise<string>;
  fetchSnsUrl?: (url: string) => Promise<void>;
}

export const REAL_VERIFIERS: SignatureVerifiers = {
  mailgun: verifyMailgunSignature,
  svix: verifySvixSignature,
  postal: verifyPostalSignature,
  fetchSnsCertificate,
  fetchSnsUrl,
};

/**
 * Providers (besides SendGrid, whose key is the customer's webhook key) that take a key with
 * `customer set-webhook-key --provider`. For `ses` the "key" is the TopicArn allowlist: SNS
 * messages are verified whether or not one is set.
 */
export const SIGNING_PROVIDERS: readonly string[] = ['mailgun', 'resend', 'postal', 'ses'];

// Mailgun's tokens are 50 hex characters; anything far outside that is not worth storing.
const TOKEN = /^[\x21-\x7e]{1,256}$/;

const forbidden = (what: string): ApiError => new ApiError('forbidden', [`error in signature: ${what}`]);

function mailgunBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
}

/** Throws 403 unless the request is signed with `key`; for Mailgun also refuses a replayed token. */
export async function checkProviderSignature(
  provider: string,
  key: string,
  request: ProviderRequest,
  customer: Customer,
  store: Store,
  verifiers: SignatureVerifiers,
  now: Date,
): Promise<void> {
  const h = request.headers;
  if (provider === 'mailgun') {
    const signature = mailgunSignatureOf(mailgunBody(request.body));
    if (!signature || !TOKEN.test(signature.token)) throw forbidden('this customer requires signed Mailgun webhooks; the body has no signature block');
    if (!verifiers.mailgun(key, signature)) throw forbidden("does not verify against the customer's Mailgun signing key");
    // The HMAC covers timestamp+token only, not the event: a captured signature could be sent
    // again with other event data. The first body seen with a token is the only one it signs.
    const bodyHash = createHash('sha256').update(request.body).digest();
    const claim = await store.claimWebhookToken(customer.id, 'mailgun', signature.token, bodyHash, now);
    if (claim === 'replay') throw forbidden('this Mailgun token was already used with another body (replay)');
    return;
  }
  if (provider === 'resend') {
    const headers = { id: h['svix-id'], timestamp: h['svix-timestamp'], signature: h['svix-signature'] };
    if (!headers.id || !headers.timestamp || !headers.signature) throw forbidden('this customer requires signed Resend webhooks; svix-id, svix-timestamp and svix-signature headers are missing');
    if (!verifiers.svix(key, headers, request.body, Math.floor(now.getTime() / 1000))) throw forbidden("does not verify against the customer's Resend signing secret, or is older than 5 minutes");
    return;
  }
  if (provider === 'postal') {
    const headers = { signature256: h['x-postal-signature-256'], signature1: h['x-postal-signature'] };
    if (!headers.signature256 && !headers.signature1) throw forbidden('this customer requires signed Postal webhooks; X-Postal-Signature-256 and X-Postal-Signature headers are missing');
    if (!verifiers.postal(key, request.body, headers)) throw forbidden("does not verify against the customer's Postal public key");
  }
}
