// What the /webhooks/ses route runs before ingest: SNS signature, TopicArn allowlist and age checks,
// and a SubscriptionConfirmation confirmed (its SubscribeURL fetched) only after all of them pass.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../src/domain/errors.js';
import { type SesRequestDeps, handleSesRequest, parseTopicArnAllowlist } from '../../src/providers/sesRequest.js';
import type { SnsMessage } from '../../src/providers/sns/verify.js';
import { TOPIC_ARN, makeCert, notification, signSns, subscriptionConfirmation } from '../snsTestCert.js';
import * as fx from './sesFixtures.js';

const cert = makeCert();
const intruder = makeCert();
const NOW = Math.floor(Date.parse('2024-06-01T12:00:30Z') / 1000);

function harness(overrides: Partial<SesRequestDeps> = {}) {
  const confirmed: string[] = [];
  const deps: SesRequestDeps = {
    fetchCertificate: async () => cert.certPem,
    fetchUrl: async (url) => {
      confirmed.push(url);
    },
    allowedTopicArns: [],
    nowSeconds: NOW,
    ...overrides,
  };
  const run = (body: unknown, headers: Record<string, string> = { 'x-amz-sns-message-type': 'Notification' }) =>
    handleSesRequest({ body: Buffer.from(JSON.stringify(body)), contentType: 'text/plain', headers }, deps);
  return { run, confirmed };
}

async function refused(p: Promise<unknown>, status: number, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof ApiError && e.status === status && message.test(e.messages.join(' ')));
}

describe('SES request handling (SNS verification before anything is applied)', () => {
  for (const version of ['1', '2'] as const) {
    test(`a signed notification (SignatureVersion ${version}) is mapped`, async () => {
      const { run } = harness();
      const result = await run(signSns(notification(fx.delivery), cert, version));
      assert.equal(result.kind, 'items');
      assert.equal(result.kind === 'items' && Array.isArray(result.items[0]?.mapped) && result.items[0].mapped[0]?.event.event, 'delivered');
    });
  }

  test('a notification signed by another key, or tampered with, is 403 and maps nothing', async () => {
    const { run } = harness();
    await refused(run(signSns(notification(fx.delivery), intruder, '1')), 403, /^error in signature: /);
    const good = signSns(notification(fx.delivery), cert, '1');
    await refused(run({ ...good, Message: good.Message.replace('recipient@', 'victim@') }), 403, /error in signature/);
    await refused(run({ ...good, SigningCertURL: 'https://attacker.example.com/cert.pem' }), 403, /SigningCertURL/);
  });

  test('SubscriptionConfirmation: SubscribeURL is fetched once the message verifies, and only then', async () => {
    const ok = harness();
    const message = signSns(subscriptionConfirmation(), cert, '2');
    assert.deepEqual(await ok.run(message, { 'x-amz-sns-message-type': 'SubscriptionConfirmation' }), { kind: 'confirmed', topicArn: TOPIC_ARN });
    assert.deepEqual(ok.confirmed, [message.SubscribeURL]);

    const forged = harness();
    await refused(forged.run(signSns(subscriptionConfirmation(), intruder, '2')), 403, /error in signature/);
    const unsigned: Partial<SnsMessage> = { ...message };
    delete unsigned.Signature;
    await refused(forged.run(unsigned), 403, /Signature is missing/);
    await refused(forged.run({ ...message, SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=other' }), 403, /error in signature/);
    assert.deepEqual(forged.confirmed, [], 'nothing fetched for an unverified confirmation');
  });

  test('a verified confirmation whose SubscribeURL is off the SNS hosts is refused, not fetched', async () => {
    const h = harness();
    await refused(h.run(signSns(subscriptionConfirmation('https://evil.example.com/?Action=ConfirmSubscription'), cert, '1')), 403, /error in SubscribeURL/);
    assert.deepEqual(h.confirmed, []);
  });

  test('a confirmation whose SubscribeURL does not answer is 503 (SNS retries)', async () => {
    const h = harness({
      fetchUrl: async () => {
        throw new Error('timeout');
      },
    });
    await refused(h.run(signSns(subscriptionConfirmation(), cert, '1')), 503, /could not confirm/);
  });

  test('TopicArn allowlist: another topic is 403 — and its confirmation is never fetched', async () => {
    const h = harness({ allowedTopicArns: ['arn:aws:sns:us-east-1:123456789012:other-topic'] });
    await refused(h.run(signSns(notification(fx.delivery), cert, '1')), 403, /^error in TopicArn: /);
    await refused(h.run(signSns(subscriptionConfirmation(), cert, '1')), 403, /error in TopicArn/);
    assert.deepEqual(h.confirmed, []);
    const allowed = harness({ allowedTopicArns: [TOPIC_ARN] });
    assert.equal((await allowed.run(signSns(notification(fx.delivery), cert, '1'))).kind, 'items');
  });

  test('a genuine but day-old (replayed) or far-future message is 403', async () => {
    const { run } = harness();
    await refused(run(signSns(notification(fx.delivery, 'm-old', '2024-05-31T11:00:00.000Z'), cert, '1')), 403, /error in Timestamp/);
    await refused(run(signSns(notification(fx.delivery, 'm-new', '2024-06-01T13:00:00.000Z'), cert, '1')), 403, /error in Timestamp/);
    assert.equal((await run(signSns(notification(fx.delivery, 'm-late', '2024-06-01T11:05:00.000Z'), cert, '1'))).kind, 'items');
  });

  test('UnsubscribeConfirmation verifies (Token is signed) and counts nothing', async () => {
    const { run, confirmed } = harness();
    const result = await run(signSns({ ...subscriptionConfirmation(), Type: 'UnsubscribeConfirmation' }, cert, '1'));
    assert.deepEqual(result.kind === 'items' && result.items[0]?.mapped, []);
    assert.deepEqual(confirmed, []);
  });

  test('EventBridge events carry no SNS signature: mapped without any fetch', async () => {
    const h = harness({
      fetchCertificate: async () => {
        throw new Error('must not fetch');
      },
    });
    const result = await h.run(fx.eventBridge('Email Delivered', fx.delivery), {});
    assert.equal(result.kind, 'items');
  });
});

describe('TopicArn allowlist parsing', () => {
  test('comma or space separated SNS TopicArns; anything else is refused', () => {
    assert.deepEqual(parseTopicArnAllowlist(`${TOPIC_ARN}, arn:aws-cn:sns:cn-north-1:123456789012:t2 ${TOPIC_ARN}`), [TOPIC_ARN, 'arn:aws-cn:sns:cn-north-1:123456789012:t2']);
    assert.throws(() => parseTopicArnAllowlist(''), /at least one/);
    assert.throws(() => parseTopicArnAllowlist('arn:aws:sqs:us-east-1:123456789012:q'), /not an SNS TopicArn/);
    assert.throws(() => parseTopicArnAllowlist('whsec_abc'), /not an SNS TopicArn/);
  });
});
