// POST /webhooks/ses over HTTP: SNS notifications verified (a test certificate served through the
// injected fetcher), the TopicArn allowlist from `set-webhook-key --provider ses`, subscription
// confirmation only after verification, and the rollups counted once under SNS retries.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { REAL_VERIFIERS } from '../../src/http/providerSignatures.js';
import type { SnsMessage } from '../../src/providers/sns/verify.js';
import { type Fixture, basicAuth, fixture } from '../helpers.js';
import { CERT_URL, TOPIC_ARN, makeCert, notification, signSns, subscriptionConfirmation } from '../snsTestCert.js';

const NOW = new Date('2024-06-01T12:00:00Z');
const cert = makeCert();
const mail = { timestamp: '2024-06-01T08:00:00.000Z', source: 's@example.com', messageId: 'ses-m1', destination: ['a@example.com'], tags: { campaign: ['june'] } };
const delivery = { eventType: 'Delivery', mail, delivery: { timestamp: '2024-06-01T08:20:00.000Z', recipients: ['a@example.com'] } };

describe('POST /webhooks/ses', () => {
  let f: Fixture;
  let app: FastifyInstance;
  const confirmed: string[] = [];
  const certFetches: string[] = [];

  before(async () => {
    f = await fixture(NOW);
    app = await buildApp({
      store: f.store,
      now: () => NOW,
      signatureVerifiers: {
        ...REAL_VERIFIERS,
        fetchSnsCertificate: async (url) => (certFetches.push(url), cert.certPem),
        fetchSnsUrl: async (url) => void confirmed.push(url),
      },
    });
  });
  after(async () => {
    await app.close();
    await f.close();
  });

  const post = (message: SnsMessage | Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/ses?user=c1',
      headers: { authorization: basicAuth('r1', 'key-r1-secret'), 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': String(message.Type) },
      payload: JSON.stringify(message),
    });

  test('a signed notification is counted once, however often SNS retries it', async () => {
    const message = signSns(notification(delivery, 'sns-route-1'), cert, '2');
    const first = await post(message);
    assert.equal(first.statusCode, 200, first.body);
    assert.ok(first.json().accepted >= 1);
    const again = await post(message);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().accepted, 0);
    assert.deepEqual(certFetches.slice(0, 1), [CERT_URL]);
    const [row] = await f.sql("SELECT delivered, requests FROM daily_stats WHERE customer_id = 1");
    assert.deepEqual(row, { delivered: 1, requests: 1 });
  });

  test('a tampered notification is 403 and applies nothing', async () => {
    const message = signSns(notification(delivery, 'sns-route-2'), cert, '1');
    const res = await post({ ...message, Message: message.Message.replace('a@example.com', 'x@example.com') });
    assert.equal(res.statusCode, 403);
    const [row] = await f.sql('SELECT delivered FROM daily_stats WHERE customer_id = 1');
    assert.deepEqual(row, { delivered: 1 });
  });

  test('a SubscriptionConfirmation is confirmed after it verifies, and refused from a topic off the allowlist', async () => {
    const res = await post(signSns(subscriptionConfirmation(), cert, '1'));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { accepted: 0, duplicates: 0, rejected: [] });
    assert.equal(confirmed.length, 1);

    await f.store.setProviderWebhookKey('c1', 'ses', 'arn:aws:sns:us-east-1:123456789012:other-topic');
    const refused = await post(signSns(subscriptionConfirmation(), cert, '1'));
    assert.equal(refused.statusCode, 403);
    assert.match(refused.json().errors[0], /TopicArn/);
    assert.equal(confirmed.length, 1, 'nothing confirmed for a topic off the allowlist');

    await f.store.setProviderWebhookKey('c1', 'ses', TOPIC_ARN);
    const allowed = await post(signSns(notification(delivery, 'sns-route-3'), cert, '2'));
    assert.equal(allowed.statusCode, 200, allowed.body);
  });
});
