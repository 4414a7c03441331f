// Amazon SNS message signatures (docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
// This mirrors AWS's own validator, npm `sns-validator` 0.3.5 (aws/aws-js-sns-message-validator,
// index.js): the same required keys, certificate host pattern, string to sign and algorithms.
// The library itself is not used because it fetches certificates with https.get on its own —
// no timeout, no size cap, an unbounded cache and no way to inject the fetch, which tests here
// must serve locally. One deliberate difference: UnsubscribeConfirmation signs Token too (AWS's
// documentation lists it for both subscription control messages; sns-validator omits it there).
import { type KeyObject, X509Certificate, verify } from 'node:crypto';

export interface SnsMessage {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string | null;
  SubscribeURL?: string;
  Token?: string;
  UnsubscribeURL?: string;
}

export type SnsVerification = { ok: true } | { ok: false; reason: string };

const REQUIRED = ['Message', 'MessageId', 'Timestamp', 'TopicArn', 'Type', 'Signature', 'SigningCertURL', 'SignatureVersion'] as const;
const SIGNED_NOTIFICATION = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const SIGNED_CONTROL = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;
const CONTROL_TYPES: ReadonlySet<string> = new Set(['SubscriptionConfirmation', 'UnsubscribeConfirmation']);
const ALGORITHMS: Record<string, string> = { '1': 'sha1', '2': 'sha256' };

/** sns-validator's defaultHostPattern: sns.<region>.amazonaws.com, or .com.cn in China. */
const SNS_HOST = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;

/** An https URL on an SNS regional host; with `pem`, its path must also end in `.pem`. */
export function isSnsUrl(url: string, pem: boolean): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // A port, credentials or a trailing dot would make the host check mean something else.
  if (parsed.protocol !== 'https:' || parsed.port !== '' || parsed.username !== '' || parsed.password !== '') return false;
  if (!SNS_HOST.test(parsed.hostname)) return false;
  return !pem || parsed.pathname.endsWith('.pem');
}

export function isTrustedCertUrl(url: string): boolean {
  return isSnsUrl(url, true);
}

/** The string SNS signs: `Key\nValue\n` for each signed key present, in this fixed order. */
export function stringToSign(message: SnsMessage): string | null {
  const keys = CONTROL_TYPES.has(message.Type) ? SIGNED_CONTROL : SIGNED_NOTIFICATION;
  let text = '';
  for (const key of keys) {
    const value = (message as unknown as Record<string, unknown>)[key];
    if (value === undefined || value === null) {
      if (CONTROL_TYPES.has(message.Type) && (key === 'SubscribeURL' || key === 'Token')) return null;
      continue;
    }
    if (typeof value !== 'string') return null;
    text += `${key}\n${value}\n`;
  }
  return text;
}

// Certificates by URL, least recently used first out. SNS signs with a handful of certificates
// (one per region, rotated rarely), so a small cap holds them all; a URL that fails is forgotten.
export const CERT_CACHE_SIZE = 64;
type Fetcher = (url: string) => Promise<string>;
// One cache per fetcher: the server has one real fetcher; each test brings its own.
const caches = new WeakMap<Fetcher, Map<string, Promise<KeyObject>>>();

async function loadKey(fetchCertificate: Fetcher, url: string): Promise<KeyObject> {
  const pem = await fetchCertificate(url);
  return new X509Certificate(pem).publicKey;
}

function certificateKey(fetchCertificate: Fetcher, url: string): Promise<KeyObject> {
  let cache = caches.get(fetchCertificate);
  if (!cache) {
    cache = new Map();
    caches.set(fetchCertificate, cache);
  }
  const hit = cache.get(url);
  if (hit) {
    cache.delete(url);
    cache.set(url, hit);
    return hit;
  }
  const pending = loadKey(fetchCertificate, url);
  cache.set(url, pending);
  if (cache.size > CERT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  pending.catch(() => {
    if (cache.get(url) === pending) cache.delete(url);
  });
  return pending;
}

/** Number of certificates currently cached for this fetcher (for tests and metrics). */
export function cachedCertificates(fetchCertificate: Fetcher): number {
  return caches.get(fetchCertificate)?.size ?? 0;
}

export async function verifySnsMessage(message: SnsMessage, fetchCertificate: (url: string) => Promise<string>): Promise<SnsVerification> {
  if (typeof message !== 'object' || message === null) return { ok: false, reason: 'not an SNS message' };
  for (const key of REQUIRED) {
    if (typeof (message as unknown as Record<string, unknown>)[key] !== 'string') return { ok: false, reason: `${key} is missing` };
  }
  const algorithm = ALGORITHMS[message.SignatureVersion];
  if (!algorithm) return { ok: false, reason: `SignatureVersion ${JSON.stringify(message.SignatureVersion).slice(0, 20)} is not supported (1 or 2)` };
  if (!isTrustedCertUrl(message.SigningCertURL)) return { ok: false, reason: 'SigningCertURL is not an https://sns.<region>.amazonaws.com/….pem URL' };
  const text = stringToSign(message);
  if (text === null) return { ok: false, reason: 'the message lacks fields its signature covers' };
  let key: KeyObject;
  try {
    key = await certificateKey(fetchCertificate, message.SigningCertURL);
  } catch {
    return { ok: false, reason: 'the signing certificate could not be fetched or read' };
  }
  let valid = false;
  try {
    valid = verify(algorithm, Buffer.from(text, 'utf8'), key, Buffer.from(message.Signature, 'base64'));
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: 'the signature does not verify against the SNS certificate' };
}
