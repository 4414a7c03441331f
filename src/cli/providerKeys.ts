// Checks a provider signing key before it is stored, so a typo is caught at the CLI rather than
// as every webhook of that customer failing with 403.
import { createPublicKey } from 'node:crypto';
import { SIGNING_PROVIDERS } from '../http/providerSignatures.js';
import { ADAPTERS } from '../providers/index.js';
import { parseTopicArnAllowlist } from '../providers/sesRequest.js';
import { CliError } from './common.js';

/** Longest key accepted: an RSA-4096 PEM is about 800 characters. */
export const MAX_PROVIDER_KEY_LENGTH = 16 * 1024;

function postalKeyOk(key: string): boolean {
  try {
    if (key.includes('-----BEGIN')) createPublicKey(key);
    else createPublicKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'spki' });
    return true;
  } catch {
    return false;
  }
}

/** Refuses providers that are unknown or do not sign (their URL's Basic auth is the protection). */
export function checkSigningProvider(provider: string): void {
  if (!Object.hasOwn(ADAPTERS, provider)) throw new CliError(`unknown provider ${provider}; use one of ${Object.keys(ADAPTERS).join(', ')}`);
  if (!SIGNING_PROVIDERS.includes(provider)) {
    throw new CliError(`${provider} does not sign its webhooks; the webhook URL's Basic authentication (the reseller's key) is what protects it`);
  }
}

/** The key as stored, or a CliError saying what is wrong. `sendgrid` is handled by the caller. */
export function checkProviderKey(provider: string, raw: string): string {
  checkSigningProvider(provider);
  const key = raw.trim();
  if (key === '' || key.length > MAX_PROVIDER_KEY_LENGTH) throw new CliError(`the ${provider} key must be 1 to ${MAX_PROVIDER_KEY_LENGTH} characters`);
  if (provider === 'mailgun' && !/^[\x21-\x7e]+$/.test(key)) throw new CliError('the Mailgun HTTP webhook signing key is printable ASCII without spaces');
  if (provider === 'resend' && !/^(whsec_)?[A-Za-z0-9+/]+={0,2}$/.test(key)) throw new CliError('the Resend signing secret looks like whsec_ followed by base64');
  if (provider === 'postal' && !postalKeyOk(key)) throw new CliError('the Postal key must be its public key: a PEM block, or the base64 text Postal shows');
  if (provider === 'ses') {
    // The SES "key" is the customer's TopicArn allowlist.
    try {
      parseTopicArnAllowlist(key);
    } catch (e) {
      throw new CliError(`the SES key is a TopicArn allowlist (comma- or space-separated): ${(e as Error).message}`);
    }
  }
  return key;
}
