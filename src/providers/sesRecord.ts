// One Amazon SES event record (event publishing `eventType`, or identity notification
// `notificationType`; docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html)
// → SendGrid-dialect events, one per recipient, following research/providers.md section 4
// (SES column) and SPEC section 7:
//   Delivery → delivered; DeliveryDelay → deferred; Bounce Permanent/Undetermined → bounce,
//   Transient → bounce type blocked (J2: SES stopped trying), suppression subtypes → dropped
//   (J4); Complaint → spamreport, not-spam ignored (J14), OnAccountSuppressionList → dropped
//   Spam Reporting Address; Reject → dropped Spam Content; Rendering Failure → dropped (no
//   SendGrid reason); Open / Click → every mail.destination (J7); Subscription → unsubscribe
//   on an opt-out. Send changes no metric: see `requestFor`.
import { sesCategories } from './sesTags.js';
import type { MappedEvent } from './types.js';

/** Where the record came from: its stable id (J10) and the envelope's own time. */
export interface RecordSource {
  /** `sns:<MessageId>` or `eb:<id>`; undefined for a bare record (then the fingerprint dedupes). */
  id?: string;
  /** SNS Timestamp / EventBridge time: used when the record's own object has no timestamp. */
  envelopeTime?: unknown;
}

/** SES accepts at most 50 recipients per message; far above that the record is not SES's. */
export const MAX_SES_RECIPIENTS = 1_000;
const MAX_REASON_LENGTH = 1_024;

type Mapped = MappedEvent[] | { error: string };

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function seconds(...candidates: unknown[]): number | undefined {
  for (const c of candidates) {
    if (typeof c !== 'string') continue;
    const ms = Date.parse(c);
    if (Number.isFinite(ms)) return Math.floor(ms / 1000);
  }
  return undefined;
}

const SUPPRESSION_DROPS: Record<string, string> = {
  Suppressed: 'Bounced Address',
  OnAccountSuppressionList: 'Bounced Address',
  OnTenantSuppressionList: 'Bounced Address',
  UnsubscribedRecipient: 'Unsubscribed Address',
  EmailValidationSuppressed: 'Invalid',
};

/** Recipients named by an object's list: strings, or `{emailAddress}` objects. */
function recipients(list: unknown, field: string): string[] | { error: string } {
  if (!Array.isArray(list) || list.length === 0) return { error: `${field}: must be a non-empty array` };
  if (list.length > MAX_SES_RECIPIENTS) return { error: `${field}: more than ${MAX_SES_RECIPIENTS} recipients` };
  const out: string[] = [];
  for (const r of list) {
    const address = typeof r === 'string' ? r : obj(r)?.emailAddress;
    if (typeof address !== 'string' || address === '') return { error: `${field}: every recipient must be an email address` };
    out.push(address);
  }
  return out;
}

const cut = (text: string): string => (text.length > MAX_REASON_LENGTH ? text.slice(0, MAX_REASON_LENGTH) : text);

export function mapSesRecord(record: unknown, source: RecordSource): Mapped {
  const r = obj(record);
  if (!r) return { error: 'SES record: must be a JSON object' };
  const type = typeof r.eventType === 'string' ? r.eventType : r.notificationType;
  if (typeof type !== 'string') return { error: 'SES record: eventType or notificationType is required' };
  // Identity notification sent once when a topic is attached: nothing to count.
  if (type === 'AmazonSnsSubscriptionSucceeded' || type === 'Received') return [];
  const mail = obj(r.mail);
  if (!mail) return { error: 'SES record: mail is required' };
  const messageId = mail.messageId;
  if (typeof messageId !== 'string' || messageId === '') return { error: 'SES record: mail.messageId is required' };
  const category = sesCategories(mail.tags);
  const sendTime = seconds(mail.timestamp);

  const build = (rcpts: string[] | { error: string }, at: number | undefined, fields: (rcpt: string) => Record<string, unknown>, withRequest: boolean): Mapped => {
    if (!Array.isArray(rcpts)) return rcpts;
    if (at === undefined) return { error: `SES ${type}: no usable timestamp` };
    const out: MappedEvent[] = [];
    for (const email of rcpts) {
      const unit = `ses:${messageId}:${email.toLowerCase()}`;
      const event: Record<string, unknown> = { timestamp: at, email, sg_message_id: unit, category, ...fields(email) };
      if (event.event === 'dropped') {
        // A recipient of a message is dropped at most once, and its drop is its request: SES may
        // report one suppression both as a Bounce and as a Complaint (OnAccountSuppressionList).
        out.push({ event, dedupeKey: `drop:${unit}` });
      } else {
        out.push(source.id === undefined ? { event } : { event, dedupeKey: `ses:${source.id}:${email.toLowerCase()}` });
      }
      if (withRequest) out.push(requestFor(unit, email, sendTime ?? at, category));
    }
    return out;
  };
  const destinations = () => recipients(mail.destination, 'mail.destination');

  switch (type) {
    case 'Send':
      // SES publishes Send also for recipients it then suppresses (API_EventDestination: "SES will
      // still count it as a send"), and such a recipient's drop already counts a request (SPEC
      // section 5): counting Send as well would count that recipient twice. Every recipient's
      // request is counted from its outcome instead, dated by the same send time.
      return ((d) => (Array.isArray(d) ? [] : d))(destinations());
    case 'Delivery': {
      const d = obj(r.delivery);
      if (!d) return { error: 'SES Delivery: delivery is required' };
      return build(recipients(d.recipients, 'delivery.recipients'), seconds(d.timestamp, source.envelopeTime, mail.timestamp), () => ({ event: 'delivered' }), true);
    }
    case 'DeliveryDelay': {
      const d = obj(r.deliveryDelay);
      if (!d) return { error: 'SES DeliveryDelay: deliveryDelay is required' };
      const reason = typeof d.delayType === 'string' ? d.delayType : 'DeliveryDelay';
      return build(recipients(d.delayedRecipients, 'deliveryDelay.delayedRecipients'), seconds(d.timestamp, source.envelopeTime), () => ({ event: 'deferred', reason }), true);
    }
    case 'Bounce':
      return mapBounce(r, source, build);
    case 'Complaint': {
      const c = obj(r.complaint);
      if (!c) return { error: 'SES Complaint: complaint is required' };
      // J14: a feedback report saying "not spam" is not a complaint.
      if (c.complaintFeedbackType === 'not-spam') return [];
      const rcpts = recipients(c.complainedRecipients, 'complaint.complainedRecipients');
      const at = seconds(c.timestamp, c.arrivalDate, source.envelopeTime);
      // Accepted but never sent: the address had complained before (a repeat spam report drop).
      if (c.complaintSubType === 'OnAccountSuppressionList') return build(rcpts, at, () => ({ event: 'dropped', reason: 'Spam Reporting Address' }), false);
      return build(rcpts, at, () => ({ event: 'spamreport' }), false);
    }
    case 'Reject':
      return build(destinations(), seconds(mail.timestamp, source.envelopeTime), () => ({ event: 'dropped', reason: 'Spam Content' }), false);
    case 'Rendering Failure':
      return build(destinations(), seconds(mail.timestamp, source.envelopeTime), () => ({ event: 'dropped', reason: 'Rendering Failure' }), false);
    case 'Open': {
      const o = obj(r.open);
      return build(destinations(), seconds(o?.timestamp, source.envelopeTime), () => ({ event: 'open' }), false);
    }
    case 'Click': {
      const c = obj(r.click);
      if (!c || typeof c.link !== 'string') return { error: 'SES Click: click.link is required' };
      const url = c.link;
      return build(destinations(), seconds(c.timestamp, source.envelopeTime), () => ({ event: 'click', url }), false);
    }
    case 'Subscription': {
      const s = obj(r.subscription);
      if (!s) return { error: 'SES Subscription: subscription is required' };
      if (!optedOut(obj(s.oldTopicPreferences), obj(s.newTopicPreferences))) return [];
      return build(destinations(), seconds(s.timestamp, source.envelopeTime), () => ({ event: 'unsubscribe' }), false);
    }
    default:
      return { error: `SES record: unknown event type ${JSON.stringify(type).slice(0, 60)}` };
  }
}

type Build = (rcpts: string[] | { error: string }, at: number | undefined, fields: (rcpt: string) => Record<string, unknown>, withRequest: boolean) => Mapped;

function mapBounce(r: Record<string, unknown>, source: RecordSource, build: Build): Mapped {
  const b = obj(r.bounce);
  if (!b) return { error: 'SES Bounce: bounce is required' };
  const list = b.bouncedRecipients;
  const rcpts = recipients(list, 'bounce.bouncedRecipients');
  const at = seconds(b.timestamp, source.envelopeTime, obj(r.mail)?.timestamp);
  const bounceType = typeof b.bounceType === 'string' ? b.bounceType : 'Undetermined';
  const subType = typeof b.bounceSubType === 'string' ? b.bounceSubType : 'Undetermined';
  const diagnostics = new Map<string, string>();
  // The enhanced status code (5.1.1) per recipient, shown on the bounce and block lists.
  const statuses = new Map<string, string>();
  if (Array.isArray(list)) {
    for (const entry of list) {
      const e = obj(entry);
      if (typeof e?.emailAddress === 'string' && typeof e.diagnosticCode === 'string') diagnostics.set(e.emailAddress, e.diagnosticCode);
      if (typeof e?.emailAddress === 'string' && typeof e.status === 'string') statuses.set(e.emailAddress, e.status);
    }
  }
  const reasonOf = (rcpt: string) => cut(diagnostics.get(rcpt) ?? `${bounceType}: ${subType}`);

  const drop = SUPPRESSION_DROPS[subType];
  if (bounceType === 'Permanent' && drop) return build(rcpts, at, () => ({ event: 'dropped', reason: drop }), false);
  // J2: SES publishes a Transient bounce only once it has stopped retrying: a block, not a deferral.
  const sgType = bounceType === 'Transient' ? 'blocked' : 'bounce';
  return build(rcpts, at, (rcpt) => ({ event: 'bounce', type: sgType, reason: reasonOf(rcpt), ...(statuses.has(rcpt) ? { status: statuses.get(rcpt) } : {}) }), true);
}

/** J1, with SES's send time: one request per recipient, counted by whichever outcome comes first. */
function requestFor(unit: string, email: string, at: number, category: string[]): MappedEvent {
  return { event: { event: 'processed', timestamp: at, email, sg_message_id: unit, category }, dedupeKey: `request:${unit}` };
}

interface Preferences {
  unsubscribeAll?: unknown;
  topicSubscriptionStatus?: unknown;
}

/** An unsubscribe: unsubscribeAll turned on, or a topic that was OptIn (or absent) now OptOut. */
function optedOut(before: Preferences | undefined, after: Preferences | undefined): boolean {
  if (!after) return false;
  if (after.unsubscribeAll === true && before?.unsubscribeAll !== true) return true;
  const statuses = (p: Preferences | undefined): Map<string, string> => {
    const m = new Map<string, string>();
    if (Array.isArray(p?.topicSubscriptionStatus)) {
      for (const t of p.topicSubscriptionStatus) {
        const o = obj(t);
        if (typeof o?.topicName === 'string' && typeof o.subscriptionStatus === 'string') m.set(o.topicName, o.subscriptionStatus);
      }
    }
    return m;
  };
  const old = statuses(before);
  for (const [topic, status] of statuses(after)) if (status === 'OptOut' && old.get(topic) !== 'OptOut') return true;
  return false;
}
