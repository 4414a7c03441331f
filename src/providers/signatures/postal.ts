// Postal signs each webhook request body with the mail server's RSA key, PKCS#1 v1.5:
// X-Postal-Signature-256 (SHA-256) and the older X-Postal-Signature (SHA-1), both base64
// (postalserver/postal lib/postal/http.rb, lib/postal/signer.rb). The public key is shown in
// Postal's UI as bare base64 DER; PEM is accepted too. Postal publishes no Node library, so this
// is node:crypto. SHA-256 is preferred: when its header is present, the SHA-1 one is not consulted.
import { type KeyObject, createPublicKey, verify } from 'node:crypto';

export class PostalKeyError extends Error {}

/** Parses a Postal public key (PEM, or bare base64 SPKI / PKCS#1 DER); throws PostalKeyError. */
export function postalPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject | undefined;
  if (trimmed.includes('-----BEGIN')) {
    try {
      key = createPublicKey(trimmed);
    } catch {
      key = undefined;
    }
  } else {
    const der = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64');
    for (const type of ['spki', 'pkcs1'] as const) {
      try {
        key = createPublicKey({ key: der, format: 'der', type });
        break;
      } catch {
        key = undefined;
      }
    }
  }
  if (!key || key.asymmetricKeyType !== 'rsa') throw new PostalKeyError('not an RSA public key: paste the public key shown on the Postal server\'s Webhooks page');
  return key;
}

const keys = new Map<string, KeyObject>();
const MAX_KEYS = 1_000;

function cachedKey(text: string): KeyObject | null {
  let key = keys.get(text);
  if (!key) {
    try {
      key = postalPublicKey(text);
    } catch {
      return null;
    }
    if (keys.size >= MAX_KEYS) keys.clear();
    keys.set(text, key);
  }
  return key;
}

export function verifyPostalSignature(publicKey: string, body: Buffer, headers: { signature256?: string; signature1?: string }): boolean {
  const key = cachedKey(publicKey);
  if (!key) return false;
  const [algorithm, signature] = headers.signature256 ? ['sha256', headers.signature256] : ['sha1', headers.signature1];
  if (!signature) return false;
  try {
    return verify(algorithm, body, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
