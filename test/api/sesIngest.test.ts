// SES through the shared ingest path on a real database: signed SNS notifications go through
// handleSesRequest (signature, allowlist), their events through ingestBatch into the store, and
// the rollups hold SPEC section 5's metrics — exactly once under SNS retries in any order.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ingestBatch } from '../../src/services/ingest.js';
import { handleSesRequest } from '../../src/providers/sesRequest.js';
import type { SnsMessage } from '../../src/providers/sns/verify.js';
import { type Fixture, fixture } from '../helpers.js';
import { TOPIC_ARN, makeCert, notification, signSns } from '../snsTestCert.js';

const cert = makeCert();
const NOW = new Date('2024-06-01T12:00:00Z');
const SENT = '2024-06-01T08:00:00.000Z';

const mail = (messageId: string, destination: string[]) => ({
  timestamp: SENT, source: 'shop@example.com', sendingAccountId: '123456789012', messageId, destination,
  tags: { 'ses:configuration-set': ['ConfigSet'], campaign: ['june'] },
});
const M1 = mail('0100018fd1e1-m1', ['a@example.com', 'b@example.com']);
const M2 = mail('0100018fd1e1-m2', ['c@example.com', 'd@example.com']);

// Record shapes as in AWS's samples (test/unit/sesFixtures.ts), for one realistic day.
const records = [
  { eventType: 'Send', mail: M1, send: {} },
  { eventType: 'DeliveryDelay', mail: M1, deliveryDelay: { timestamp: '2024-06-01T08:05:00.000Z', delayType: 'MailboxFull', delayedRecipients: [{ emailAddress: 'a@example.com' }] } },
  { eventType: 'Delivery', mail: M1, delivery: { timestamp: '2024-06-01T08:20:00.000Z', recipients: ['a@example.com'] } },
  { eventType: 'Bounce', mail: M1, bounce: { bounceType: 'Transient', bounceSubType: 'General', timestamp: '2024-06-01T09:00:00.000Z', bouncedRecipients: [{ emailAddress: 'b@example.com' }] } },
  { eventType: 'Open', mail: M1, open: { timestamp: '2024-06-01T10:00:00.000Z' } },
  { eventType: 'Open', mail: M1, open: { timestamp: '2024-06-01T10:30:00.000Z' } },
  { eventType: 'Click', mail: M1, click: { timestamp: '2024-06-01T10:31:00.000Z', link: 'https://example.com/sale' } },
  { eventType: 'Bounce', mail: M2, bounce: { bounceType: 'Permanent', bounceSubType: 'OnAccountSuppressionList', timestamp: '2024-06-01T08:00:01.000Z', bouncedRecipients: [{ emailAddress: 'c@example.com' }] } },
  { eventType: 'Delivery', mail: M2, delivery: { timestamp: '2024-06-01T08:00:05.000Z', recipients: ['d@example.com'] } },
  { eventType: 'Complaint', mail: M2, complaint: { timestamp: '2024-06-01T11:00:00.000Z', complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: 'd@example.com' }] } },
  { eventType: 'Complaint', mail: M2, complaint: { timestamp: '2024-06-01T11:00:00.000Z', complaintFeedbackType: 'not-spam', complainedRecipients: [{ emailAddress: 'd@example.com' }] } },
];
const messages: SnsMessage[] = records.map((r, i) => signSns(notification(r, `sns-${i}`, '2024-06-01T11:59:00.000Z'), cert, '2'));

describe('SES events through the shared ingest path', () => {
  let f: Fixture;
  const deliver = async (message: SnsMessage) => {
    const result = await handleSesRequest(
      { body: Buffer.from(JSON.stringify(message)), contentType: 'text/plain', headers: { 'x-amz-sns-message-type': message.Type } },
      { fetchCertificate: async () => cert.certPem, fetchUrl: async () => {}, allowedTopicArns: [TOPIC_ARN], nowSeconds: Math.floor(NOW.getTime() / 1000) },
    );
    assert.equal(result.kind, 'items');
    const items = result.kind === 'items' ? result.items.flatMap((i) => (Array.isArray(i.mapped) ? i.mapped.map((m) => ({ value: m.event })) : [])) : [];
    return ingestBatch(f.store, f.customer, items, NOW);
  };

  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => {
    await f.close();
  });

  test('one day of SES events gives SPEC section 5\'s metrics, and retries in reverse order change nothing', async () => {
    for (const m of messages) await deliver(m);
    const expected = {
      requests: 4, processed: 3, delivered: 2, deferred: 1, bounces: 0, blocks: 1,
      // J7: SES does not say which recipient opened, so both destinations of M1 are credited.
      opens: 4, machine_opens: 0, unique_opens: 2, clicks: 2, unique_clicks: 2, spamreports: 1, unsubscribes: 0, repeat_bounces: 1, repeat_unsubscribes: 0, repeat_spamreports: 0, invalid_email: 0, spam_drop: 0,
    };
    assert.deepEqual(await f.store.aggregate(f.customer.id), expected);
    // SNS retries: every message again, last first, some twice.
    for (const m of [...messages].reverse()) await deliver(m);
    for (const m of messages.slice(0, 5)) {
      const again = await deliver(m);
      assert.equal(again.accepted, 0);
    }
    assert.deepEqual(await f.store.aggregate(f.customer.id), expected);
    // The campaign tag is a category of its own.
    assert.deepEqual((await f.store.categories(f.customer.id)), ['campaign:june']);
  });
});
