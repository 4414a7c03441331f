// The Amazon SES adapter: AWS's sample records (test/unit/sesFixtures.ts) through SNS and
// EventBridge, each with the SendGrid-dialect events it must produce and the metrics those count
// (SPEC section 5, via the real validateEvent), and the judgment calls J2, J4, J7, J9, J10, J14.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { validateEvent } from '../../src/domain/events.js';
import { ApiError } from '../../src/domain/errors.js';
import { sesAdapter, sesSnsEnvelope } from '../../src/providers/ses.js';
import type { MappedEvent, ProviderItem } from '../../src/providers/types.js';
import { sesCategories } from '../../src/providers/sesTags.js';
import { notification, subscriptionConfirmation } from '../snsTestCert.js';
import * as fx from './sesFixtures.js';

const UNIT = 'ses:EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000:recipient@example.com';
const CATEGORIES = ['myCustomTag1:myCustomTagValue1', 'myCustomTag2:myCustomTagValue2'];
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

const parse = (body: unknown, headers: Record<string, string> = {}): ProviderItem[] =>
  sesAdapter.parse({ body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), contentType: 'text/plain', headers });
const viaSns = (record: unknown, messageId?: string) => parse(notification(record, messageId));

function events(items: ProviderItem[]): MappedEvent[] {
  const out: MappedEvent[] = [];
  for (const item of items) {
    assert.ok(Array.isArray(item.mapped), `item quarantined: ${JSON.stringify(item.mapped)}`);
    out.push(...item.mapped);
  }
  return out;
}

/** The metrics a set of items adds, as the store would count them: deduped by key, else fingerprint. */
function metrics(items: ProviderItem[]): Record<string, number> {
  const seen = new Set<string>();
  const counts: Record<string, number> = {};
  for (const m of events(items)) {
    const v = validateEvent(m.event, 'UTC');
    assert.ok(v.ok, `validateEvent refused ${JSON.stringify(m.event)}: ${v.ok ? '' : v.error}`);
    const key = m.dedupeKey ?? v.event.fingerprint.toString('hex');
    if (seen.has(key)) continue;
    seen.add(key);
    for (const metric of v.event.metrics) counts[metric] = (counts[metric] ?? 0) + 1;
  }
  return counts;
}

describe('SES records through SNS → SendGrid events and metrics', () => {
  test('Send: accepted, counts nothing (requests come from each recipient\'s outcome)', () => {
    const items = viaSns(fx.send);
    assert.deepEqual(items[0]?.mapped, []);
  });

  test('Delivery: delivered + one request, dated by the send time, tags as categories', () => {
    const got = events(viaSns(fx.delivery));
    assert.deepEqual(got, [
      {
        event: { event: 'delivered', timestamp: at('2016-10-19T23:21:04.133Z'), email: 'recipient@example.com', sg_message_id: UNIT, category: CATEGORIES },
        dedupeKey: 'ses:sns:19ba9823-d7f2-53c1-860e-cb10e0d13dfc:recipient@example.com',
      },
      {
        event: { event: 'processed', timestamp: at('2016-10-19T23:20:52.240Z'), email: 'recipient@example.com', sg_message_id: UNIT, category: CATEGORIES },
        dedupeKey: `request:${UNIT}`,
      },
    ]);
    assert.deepEqual(metrics(viaSns(fx.delivery)), { delivered: 1, requests: 1, processed: 1 });
  });

  const bounceCases: Array<[string, string, Record<string, number>]> = [
    ['Permanent', 'General', { bounces: 1, requests: 1, processed: 1 }],
    ['Permanent', 'NoEmail', { bounces: 1, requests: 1, processed: 1 }],
    ['Undetermined', 'Undetermined', { bounces: 1, requests: 1, processed: 1 }],
    ['Permanent', 'SomeFutureSubType', { bounces: 1, requests: 1, processed: 1 }],
    // J2: SES publishes Transient bounces only once it gave up: terminal soft failures are blocks.
    ['Transient', 'General', { blocks: 1, requests: 1, processed: 1 }],
    ['Transient', 'MailboxFull', { blocks: 1, requests: 1, processed: 1 }],
    ['Transient', 'MessageTooLarge', { blocks: 1, requests: 1, processed: 1 }],
    ['Transient', 'ContentRejected', { blocks: 1, requests: 1, processed: 1 }],
    ['Transient', 'AttachmentRejected', { blocks: 1, requests: 1, processed: 1 }],
    // J4: suppression-list bounces are drops of a known-bad address (dropped counts the request).
    ['Permanent', 'Suppressed', { requests: 1, repeat_bounces: 1 }],
    ['Permanent', 'OnAccountSuppressionList', { requests: 1, repeat_bounces: 1 }],
    ['Permanent', 'UnsubscribedRecipient', { requests: 1, repeat_unsubscribes: 1 }],
    ['Permanent', 'EmailValidationSuppressed', { requests: 1, invalid_email: 1 }],
  ];
  for (const [type, sub, expected] of bounceCases) {
    test(`Bounce ${type}/${sub} → ${Object.keys(expected).join(', ')}`, () => {
      assert.deepEqual(metrics(viaSns(fx.bounce(type, sub))), expected);
    });
  }

  test('Bounce keeps the SMTP diagnostic as the reason, the enhanced status (suppression lists) and the bounce time as the day', () => {
    const [first] = events(viaSns(fx.bounce('Permanent', 'General')));
    assert.deepEqual(first?.event, {
      event: 'bounce', type: 'bounce', reason: 'smtp; 550 5.1.1 user unknown', status: '5.1.1',
      timestamp: at('2017-08-05T00:41:02.669Z'), email: 'recipient@example.com', sg_message_id: UNIT, category: CATEGORIES,
    });
    const [dropped] = events(viaSns(fx.bounce('Permanent', 'Suppressed')));
    assert.equal(dropped?.event.event, 'dropped');
    assert.equal(dropped?.event.reason, 'Bounced Address');
  });

  test('Complaint → spamreport; J14 not-spam → nothing; OnAccountSuppressionList → repeat spam report drop', () => {
    assert.deepEqual(metrics(viaSns(fx.complaint())), { spamreports: 1 });
    assert.deepEqual(viaSns(fx.complaint({ complaintFeedbackType: 'not-spam' }))[0]?.mapped, []);
    assert.deepEqual(metrics(viaSns(fx.complaint({ complaintSubType: 'OnAccountSuppressionList' }))), { requests: 1, repeat_spamreports: 1 });
  });

  test('DeliveryDelay → deferred + request', () => {
    assert.deepEqual(metrics(viaSns(fx.deliveryDelay)), { deferred: 1, requests: 1, processed: 1 });
    assert.equal(events(viaSns(fx.deliveryDelay))[0]?.event.timestamp, at('2020-06-16T00:25:40.095Z'));
  });

  test('Reject (virus) → spam content drop; Rendering Failure → drop without a SendGrid reason', () => {
    assert.deepEqual(metrics(viaSns(fx.reject)), { requests: 1, spam_drop: 1 });
    assert.equal(events(viaSns(fx.reject))[0]?.event.email, 'sender@example.com');
    assert.deepEqual(metrics(viaSns(fx.renderingFailure)), { requests: 1 });
    assert.equal(events(viaSns(fx.renderingFailure))[0]?.event.reason, 'Rendering Failure');
  });

  test('Open and Click at their own time; the click keeps its link', () => {
    assert.deepEqual(metrics(viaSns(fx.open())), { opens: 1 });
    assert.deepEqual(metrics(viaSns(fx.click)), { clicks: 1 });
    const [c] = events(viaSns(fx.click));
    assert.equal(c?.event.url, 'http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html');
    assert.equal(c?.event.timestamp, at('2017-08-09T23:51:25.570Z'));
  });

  test('J7: an open of a message to several recipients credits every destination, each its own unit', () => {
    const got = events(viaSns(fx.open(['a@example.com', 'B@example.com'])));
    assert.deepEqual(got.map((m) => [m.event.event, m.event.sg_message_id]), [
      ['open', 'ses:EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000:a@example.com'],
      ['open', 'ses:EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000:b@example.com'],
    ]);
  });

  test('Subscription: opting out (all, or of a topic) is an unsubscribe; staying opted in is nothing', () => {
    assert.deepEqual(metrics(viaSns(fx.subscription(true, 'OptIn'))), { unsubscribes: 1 });
    assert.deepEqual(metrics(viaSns(fx.subscription(false, 'OptOut'))), { unsubscribes: 1 });
    assert.deepEqual(viaSns(fx.subscription(false, 'OptIn'))[0]?.mapped, []);
  });

  test('an identity notification naming several recipients gives one event (and request) per bounced recipient', () => {
    const got = events(viaSns(fx.identityBounce));
    assert.deepEqual(got.map((m) => [m.event.event, m.event.email, m.dedupeKey]), [
      ['bounce', 'jane@example.com', 'ses:sns:19ba9823-d7f2-53c1-860e-cb10e0d13dfc:jane@example.com'],
      ['processed', 'jane@example.com', 'request:ses:00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000:jane@example.com'],
      ['bounce', 'Richard@Example.com', 'ses:sns:19ba9823-d7f2-53c1-860e-cb10e0d13dfc:richard@example.com'],
      ['processed', 'Richard@Example.com', 'request:ses:00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000:richard@example.com'],
    ]);
    assert.equal(got[2]?.event.reason, 'Permanent: General', 'without a diagnostic code the SES classification is the reason');
    assert.deepEqual(got[0]?.event.category, [], 'identity notifications carry no tags');
  });

  test('J10: the SNS MessageId (+recipient) is the dedupe key, so a retried message counts once', () => {
    const twice = [...viaSns(fx.delivery), ...viaSns(fx.delivery)];
    assert.deepEqual(metrics(twice), { delivered: 1, requests: 1, processed: 1 });
    // Another SNS message (another MessageId) for the same recipient is another event…
    assert.deepEqual(metrics([...viaSns(fx.open()), ...viaSns(fx.open(), 'other-message-id')]), { opens: 2 });
    // …but the request of a recipient counts once whatever outcomes arrive, in any order.
    assert.deepEqual(metrics([...viaSns(fx.deliveryDelay), ...viaSns(fx.delivery)]).requests, 1);
    assert.deepEqual(metrics([...viaSns(fx.delivery), ...viaSns(fx.deliveryDelay)]).requests, 1);
  });

  test('J1: every outcome of a recipient derives the identical request event, so arrival order cannot move its day', () => {
    const requestsOf = (record: unknown) => events(viaSns(record)).filter((m) => m.dedupeKey?.startsWith('request:'));
    const withSendTime = (record: Record<string, unknown>) => ({ ...record, mail: { ...(record.mail as object), timestamp: '2024-06-01T10:00:00.000Z' } });
    const derived = [fx.delivery, fx.deliveryDelay, fx.bounce('Permanent', 'General'), fx.bounce('Transient', 'General')].map((r) => requestsOf(withSendTime(r)));
    for (const d of derived) {
      assert.equal(d.length, 1);
      assert.deepEqual({ ...d[0], event: { ...d[0]?.event, category: [] } }, { ...derived[0]?.[0], event: { ...derived[0]?.[0]?.event, category: [] } });
      assert.equal(d[0]?.event.timestamp, at('2024-06-01T10:00:00.000Z'));
    }
    // Drops count their own request (SPEC section 5), so they derive none: no recipient counts twice.
    for (const r of [fx.reject, fx.renderingFailure, fx.bounce('Permanent', 'Suppressed'), fx.complaint(), fx.open(), fx.click]) assert.deepEqual(requestsOf(r), []);
  });

  test('a recipient is dropped once: a suppression reported as Bounce and as Complaint counts one request', () => {
    const bounceDrop = viaSns(fx.bounce('Permanent', 'OnAccountSuppressionList'), 'sns-1');
    const complaintDrop = viaSns(fx.complaint({ complaintSubType: 'OnAccountSuppressionList' }), 'sns-2');
    assert.equal(events(bounceDrop)[0]?.dedupeKey, `drop:${UNIT}`);
    assert.deepEqual(metrics([...bounceDrop, ...complaintDrop]), { requests: 1, repeat_bounces: 1 });
    assert.deepEqual(metrics([...bounceDrop, ...bounceDrop]), { requests: 1, repeat_bounces: 1 });
  });

  test('J9: the same bounce through SNS and EventBridge has two ids — counted twice, hence the README\'s one-channel rule', () => {
    const both = [...viaSns(fx.bounce('Permanent', 'General')), ...parse(fx.eventBridge('Email Bounced', fx.bounce('Permanent', 'General')))];
    assert.deepEqual(metrics(both), { bounces: 2, requests: 1, processed: 1 });
  });

  test('the SES validation message, confirmations and AmazonSnsSubscriptionSucceeded are accepted and count nothing', () => {
    assert.deepEqual(viaSns('Successfully validated SNS topic for Amazon SES event publishing.')[0]?.mapped, []);
    assert.deepEqual(parse(subscriptionConfirmation())[0]?.mapped, []);
    assert.deepEqual(viaSns({ notificationType: 'AmazonSnsSubscriptionSucceeded', message: 'You have successfully subscribed…' })[0]?.mapped, []);
  });

  test('records that cannot be read are quarantined whole, with a reason', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ eventType: 'Teleport', mail: { messageId: 'm', destination: ['a@x'] } }, /unknown event type "Teleport"/],
      [{ eventType: 'Delivery', mail: { messageId: 'm' } }, /delivery is required/],
      [{ eventType: 'Delivery', mail: { destination: ['a@x'] }, delivery: { recipients: ['a@x'] } }, /mail.messageId is required/],
      [{ eventType: 'Bounce', mail: { messageId: 'm' }, bounce: { bounceType: 'Permanent', bouncedRecipients: [{}] } }, /every recipient must be an email address/],
      [{ eventType: 'Open', mail: { messageId: 'm', destination: Array(1001).fill('a@x') }, open: {} }, /more than 1000 recipients/],
      [{ eventType: 'Delivery', mail: { messageId: 'm' }, delivery: { recipients: ['a@x'], timestamp: 'yesterday' } }, /no usable timestamp/],
    ];
    for (const [record, reason] of cases) {
      // Without an envelope time, a record's own time is all there is.
      const [item] = parse(record);
      assert.ok(item && !Array.isArray(item.mapped), JSON.stringify(record).slice(0, 80));
      assert.match((item.mapped as { error: string }).error, reason);
      assert.deepEqual(item.original, record);
    }
  });
});

describe('SES through EventBridge, bare records and exports', () => {
  test('EventBridge: detail is the record; the event id (+recipient) is the dedupe key', () => {
    const got = events(parse(fx.eventBridge('Email Delivered', fx.delivery)));
    assert.equal(got[0]?.event.event, 'delivered');
    assert.equal(got[0]?.dedupeKey, 'ses:eb:a9b2e5c8-8d8c-4c41-9d8a-6b2f4c1e0f11:recipient@example.com');
    const other = parse({ ...fx.eventBridge('Email Delivered', fx.delivery), source: 'aws.s3' });
    assert.deepEqual(other[0]?.mapped, { error: 'EventBridge event: source is not aws.ses' });
  });

  test('a bare record (raw delivery, Firehose export) has no stable id: the fingerprint dedupes it', () => {
    const got = events(parse(fx.click));
    assert.equal(got[0]?.dedupeKey, undefined);
  });

  test('a JSON array or NDJSON of records is one item per record (events import)', () => {
    assert.equal(parse([fx.delivery, notification(fx.open()), fx.eventBridge('Email Opened', fx.open())]).length, 3);
    const ndjson = `${JSON.stringify(fx.delivery)}\n${JSON.stringify(fx.click)}\nnot json\n`;
    const items = parse(ndjson);
    assert.equal(items.length, 3);
    assert.ok(!Array.isArray(items[2]?.mapped));
  });

  test('a body that is not JSON at all is a 400 in the envelope', () => {
    for (const body of ['', 'hello', '<xml/>']) {
      assert.throws(() => parse(body), (e: unknown) => e instanceof ApiError && e.status === 400 && /^error in body: /.test(e.messages[0] ?? ''));
    }
  });
});

describe('sesSnsEnvelope (what the route verifies)', () => {
  const req = (body: unknown, headers: Record<string, string> = {}) => ({ body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), contentType: 'text/plain', headers });
  test('returns the SNS message, or null for EventBridge and bare records', () => {
    const msg = { ...notification(fx.send), Signature: 'x', SignatureVersion: '1', SigningCertURL: 'https://sns.us-east-1.amazonaws.com/a.pem' };
    assert.deepEqual(sesSnsEnvelope(req(msg)), msg);
    assert.equal(sesSnsEnvelope(req(fx.eventBridge('Email Sent', fx.send))), null);
    assert.equal(sesSnsEnvelope(req(fx.send)), null);
  });
  test('refuses SNS messages in an array, a claimed SNS body that is not one, and raw message delivery', () => {
    const msg = notification(fx.send);
    assert.throws(() => sesSnsEnvelope(req([msg])), /one per request/);
    assert.throws(() => sesSnsEnvelope(req(fx.send, { 'x-amz-sns-message-type': 'Notification' })), /not an SNS message/);
    assert.throws(() => sesSnsEnvelope(req('nope', { 'x-amz-sns-message-type': 'Notification' })), /not an SNS message/);
    assert.throws(() => sesSnsEnvelope(req(fx.send, { 'x-amz-sns-message-type': 'Notification', 'x-amz-sns-rawdelivery': 'true' })), /RawMessageDelivery/);
  });
});

describe('SES tags → categories', () => {
  test('custom tags become name:value, ses:* tags are skipped, at most 10 kept, long ones cut, unstorable ones dropped', () => {
    assert.deepEqual(sesCategories({ 'ses:configuration-set': ['C'], campaign: ['spring'], flag: [''], multi: ['a', 'b'] }), ['campaign:spring', 'flag', 'multi:a', 'multi:b']);
    const many = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`t${i}`, ['v']]));
    assert.deepEqual(sesCategories(many), Array.from({ length: 10 }, (_, i) => `t${i}:v`));
    const [long] = sesCategories({ k: ['x'.repeat(400)] });
    assert.equal([...(long ?? '')].length, 255);
    assert.deepEqual(sesCategories({ bad: ['a\u0001b'], ok: ['1'] }), ['ok:1']);
    assert.deepEqual(sesCategories(null), []);
    // Whatever the tags, the event stays valid.
    const record = { ...fx.delivery, mail: { ...fx.delivery.mail, tags: { ...many, bad: ['\u0000'], long: ['é'.repeat(300)] } } };
    assert.equal(metrics(viaSns(record)).delivered, 1);
  });
});

describe('SES adapter on arbitrary input (property)', () => {
  // Any JSON a sender could post, bare or wrapped as SNS/EventBridge would wrap it, and AWS's
  // records with fields replaced by arbitrary values: parse never throws anything but a 400, and
  // everything it maps is an event validateEvent accepts.
  const records = [fx.send, fx.delivery, fx.deliveryDelay, fx.bounce('Transient', 'General'), fx.complaint(), fx.reject, fx.open(['a@x', 'b@x']), fx.click, fx.renderingFailure, fx.subscription(true, 'OptOut'), fx.identityBounce];
  const mutated = fc.tuple(fc.constantFrom(...records), fc.constantFrom('mail', 'bounce', 'delivery', 'complaint', 'open', 'click', 'deliveryDelay', 'subscription', 'eventType'), fc.anything())
    .map(([record, field, value]) => ({ ...record, [field]: value }));
  const mutatedDeep = fc.tuple(fc.constantFrom(...records), fc.constantFrom('destination', 'messageId', 'timestamp', 'tags'), fc.anything())
    .map(([record, field, value]) => ({ ...record, mail: { ...(record.mail as object), [field]: value } }));
  const value = fc.oneof(fc.anything(), mutated, mutatedDeep);
  const body = fc.oneof(
    value.map((v) => JSON.stringify(v) ?? 'null'),
    value.map((v) => JSON.stringify(notification(v))),
    value.map((v) => JSON.stringify(fx.eventBridge('Email Sent', v))),
    fc.string(),
  );

  test('never throws but ApiError 400; every mapped event validates', () => {
    fc.assert(
      fc.property(body, (text) => {
        let items: ProviderItem[];
        try {
          items = parse(text);
        } catch (e) {
          return e instanceof ApiError && e.status === 400;
        }
        for (const item of items) {
          if (!Array.isArray(item.mapped)) continue;
          for (const m of item.mapped) if (!validateEvent(m.event, 'UTC').ok) return false;
        }
        return true;
      }),
      // Seeded so a failure reproduces; FUZZ_SEED overrides it, as in test/fuzz.
      { numRuns: 2_000, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261130 },
    );
  });
});
