// Suppression lists (SPEC section 9): which counted event puts which address on which list.
// Pure: derived from the metrics an event bumps, so a list holds exactly the addresses of the
// events its metric counts (bounces, blocks, spamreports, invalid_email) — except unsubscribes,
// where only `unsubscribe` adds: a group unsubscribe is not global.
import type { Metric } from './metrics.js';

export const SUPPRESSION_LISTS = ['bounces', 'blocks', 'spam_reports', 'invalid_emails', 'unsubscribes'] as const;
export type SuppressionList = (typeof SUPPRESSION_LISTS)[number];
const LIST_SET: ReadonlySet<string> = new Set(SUPPRESSION_LISTS);
export const isSuppressionList = (name: string): name is SuppressionList => LIST_SET.has(name);

/** RFC 5321 caps a path at 256 octets; anything longer cannot be a deliverable address. */
export const MAX_EMAIL_LENGTH = 320;
/** Bounce texts are a line of SMTP dialogue; longer ones are cut, not refused. */
export const MAX_REASON_LENGTH = 1024;
export const MAX_STATUS_LENGTH = 32;

/** One address an event adds to a list. */
export interface SuppressionAdd {
  list: SuppressionList;
  email: string;
  status: string;
  reason: string;
}

/** One address as stored: times in unix seconds, `created` = last added. */
export interface SuppressionEntry {
  email: string;
  status: string;
  reason: string;
  firstAdded: number;
  created: number;
}

// Addresses holding these could not be shown in XML or stored in PostgreSQL text.
// eslint-disable-next-line no-control-regex
const UNREPRESENTABLE = /[\u0000-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The form an address is stored and looked up in: trimmed and lower-cased (mail systems treat
 * addresses case-insensitively in practice, and a list must not hold `A@x` and `a@x` as two
 * entries). Null when it could never be an address (empty, too long, control characters).
 */
export function normalizeAddress(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  if (email === '' || email.length > MAX_EMAIL_LENGTH || UNREPRESENTABLE.test(email)) return null;
  return email;
}

/** Free text kept for display: unrepresentable characters dropped, cut to `max`. */
function displayText(text: string | undefined, max: number): string {
  if (text === undefined) return '';
  const clean = text.replace(CONTROL, '');
  return clean.length <= max ? clean : [...clean].slice(0, max).join('');
}

export interface SuppressionSource {
  event: string;
  metrics: readonly Metric[];
  email?: string | undefined;
  status?: string | undefined;
  reason?: string | undefined;
}

/** The list an event adds its address to, or null (no list, or no usable address). */
export function suppressionOf(e: SuppressionSource): SuppressionAdd | null {
  let list: SuppressionList | null = null;
  if (e.metrics.includes('bounces')) list = 'bounces';
  else if (e.metrics.includes('blocks')) list = 'blocks';
  else if (e.metrics.includes('spamreports')) list = 'spam_reports';
  else if (e.metrics.includes('invalid_email')) list = 'invalid_emails';
  else if (e.event === 'unsubscribe') list = 'unsubscribes';
  if (list === null || e.email === undefined) return null;
  const email = normalizeAddress(e.email);
  if (email === null) return null;
  const keepsDetail = list === 'bounces' || list === 'blocks' || list === 'invalid_emails';
  return {
    list,
    email,
    status: list === 'bounces' || list === 'blocks' ? displayText(e.status, MAX_STATUS_LENGTH) : '',
    reason: keepsDetail ? displayText(e.reason, MAX_REASON_LENGTH) : '',
  };
}

/** The addresses of one batch, per list and address: first and last time, detail of the latest. */
export interface SuppressionRow extends SuppressionAdd {
  firstAdded: number;
  created: number;
}

export const suppressionKey = (list: string, email: string): string => `${list}\n${email}`;

// Anything shaped like an address in a quarantined payload (JSON text or a raw line): the
// characters JSON and mail headers put around one are the separators.
const ADDRESS_LIKE = /[^\s"'<>,;:()[\]{}\\]+@[^\s"'<>,;:()[\]{}\\]+/g;

/** The addresses a quarantined payload names, normalised as list entries are. */
export function addressesIn(payload: string): Set<string> {
  const out = new Set<string>();
  for (const m of payload.matchAll(ADDRESS_LIKE)) {
    const email = normalizeAddress(m[0]);
    if (email !== null) out.add(email);
  }
  return out;
}
