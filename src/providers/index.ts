// The provider registry: a tenth provider is one adapter file and one line here.
import { brevoAdapter } from './brevo.js';
import { mailgunAdapter } from './mailgun.js';
import { mailjetAdapter } from './mailjet.js';
import { postalAdapter } from './postal.js';
import { postmarkAdapter } from './postmark.js';
import { resendAdapter } from './resend.js';
import { sendgridAdapter } from './sendgrid.js';
import { sesAdapter } from './ses.js';
import { sparkpostAdapter } from './sparkpost.js';
import type { ProviderAdapter } from './types.js';

export const ADAPTERS: Record<string, ProviderAdapter> = {
  sendgrid: sendgridAdapter,
  mailgun: mailgunAdapter,
  postmark: postmarkAdapter,
  ses: sesAdapter,
  sparkpost: sparkpostAdapter,
  mailjet: mailjetAdapter,
  brevo: brevoAdapter,
  resend: resendAdapter,
  postal: postalAdapter,
};

/** The adapter for a provider name, or undefined (own properties only: no `__proto__`, `toString`). */
export function adapterFor(name: string): ProviderAdapter | undefined {
  return Object.hasOwn(ADAPTERS, name) ? ADAPTERS[name] : undefined;
}
