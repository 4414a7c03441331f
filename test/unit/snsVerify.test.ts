// SNS message signatures: SignatureVersion 1 and 2 against a test certificate served by an
// injected fetch, the certificate URL host check, tampering, and the bounded certificate cache.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CERT_CACHE_SIZE, cachedCertificates, isTrustedCertUrl, verifySnsMessage } from '../../src/providers/sns/verify.js';
import { CERT_URL, makeCert, notification, signSns, subscriptionConfirmation } from '../snsTestCert.js';

const cert = makeCert();
const otherCert = makeCert();

function server(pem = cert.certPem) {
  const fetched: string[] = [];
  const fetch = async (url: string) => {
    fetched.push(url);
    return pem;
  };
  return { fetch, fetched };
}

describe('SNS signature verification', () => {
  for (const version of ['1', '2'] as const) {
    test(`SignatureVersion ${version}: a notification and a SubscriptionConfirmation verify`, async () => {
      const s = server();
      assert.deepEqual(await verifySnsMessage(signSns(notification({ eventType: 'Send' }), cert, version), s.fetch), { ok: true });
      assert.deepEqual(await verifySnsMessage(signSns(subscriptionConfirmation(), cert, version), s.fetch), { ok: true });
      assert.deepEqual(s.fetched, [CERT_URL], 'the certificate is fetched once, then cached');
    });
  }

  test('a notification without Subject verifies (Subject is signed only when present)', async () => {
    const { Subject: _, ...rest } = notification({ eventType: 'Send' });
    assert.deepEqual(await verifySnsMessage(signSns(rest, cert, '2'), server().fetch), { ok: true });
  });

  test('tampering with any signed field, or the version, fails', async () => {
    const s = server();
    const good = signSns(notification({ eventType: 'Delivery' }), cert, '1');
    for (const change of [
      { Message: good.Message.replace('Delivery', 'Bounce') },
      { MessageId: 'other-id' },
      { TopicArn: 'arn:aws:sns:us-east-1:999999999999:theirs' },
      { Timestamp: '2024-06-01T12:00:01.000Z' },
      { Subject: 'changed' },
      { SignatureVersion: '2' },
    ]) {
      const r = await verifySnsMessage({ ...good, ...change }, s.fetch);
      assert.equal(r.ok, false, JSON.stringify(change));
    }
    // A confirmation's Token and SubscribeURL are signed: swapping the URL is detected.
    const conf = signSns(subscriptionConfirmation(), cert, '2');
    assert.equal((await verifySnsMessage({ ...conf, SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=evil' }, s.fetch)).ok, false);
  });

  test('a message signed with another key than the certificate\'s is refused', async () => {
    const r = await verifySnsMessage(signSns(notification({ eventType: 'Send' }), otherCert, '1'), server().fetch);
    assert.deepEqual(r, { ok: false, reason: 'the signature does not verify against the SNS certificate' });
  });

  test('a certificate URL off the SNS hosts is refused without being fetched', async () => {
    for (const url of [
      'https://evil.example.com/cert.pem',
      'http://sns.us-east-1.amazonaws.com/cert.pem',
      'https://sns.us-east-1.amazonaws.com.evil.com/cert.pem',
      'https://sns.us-east-1.amazonaws.com/cert.txt',
      'https://sns.us-east-1.amazonaws.com:8443/cert.pem',
      'https://user@sns.us-east-1.amazonaws.com/cert.pem',
      'https://s3.us-east-1.amazonaws.com/cert.pem',
      'https://sns.x.amazonaws.com/cert.pem',
    ]) {
      const s = server();
      const r = await verifySnsMessage(signSns(notification({ eventType: 'Send' }), cert, '1', url), s.fetch);
      assert.equal(r.ok, false, url);
      assert.deepEqual(s.fetched, [], url);
      assert.equal(isTrustedCertUrl(url), false, url);
    }
    assert.equal(isTrustedCertUrl('https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem'), true);
    assert.equal(isTrustedCertUrl(CERT_URL), true);
  });

  test('unsupported SignatureVersion, missing fields, or an unfetchable certificate fail with a reason', async () => {
    const good = signSns(notification({ eventType: 'Send' }), cert, '1');
    assert.equal((await verifySnsMessage({ ...good, SignatureVersion: '3' }, server().fetch)).ok, false);
    const { Signature: _, ...unsigned } = good;
    assert.deepEqual(await verifySnsMessage(unsigned as typeof good, server().fetch), { ok: false, reason: 'Signature is missing' });
    const failing = async () => {
      throw new Error('down');
    };
    assert.deepEqual(await verifySnsMessage(good, failing), { ok: false, reason: 'the signing certificate could not be fetched or read' });
    assert.equal(cachedCertificates(failing), 0, 'a failed fetch is not cached');
    assert.equal((await verifySnsMessage(good, async () => 'not a certificate')).ok, false);
  });

  test('the certificate cache is capped (least recently used out) and keeps hot URLs', async () => {
    const s = server();
    const url = (i: number) => `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-${i}.pem`;
    for (let i = 0; i < CERT_CACHE_SIZE + 20; i++) {
      assert.equal((await verifySnsMessage(signSns(notification({ eventType: 'Send' }), cert, '1', url(i)), s.fetch)).ok, true);
      // URL 0 stays in use throughout, so it is never the least recently used.
      assert.equal((await verifySnsMessage(signSns(notification({ eventType: 'Send' }), cert, '1', url(0)), s.fetch)).ok, true);
    }
    assert.equal(cachedCertificates(s.fetch), CERT_CACHE_SIZE);
    assert.equal(s.fetched.filter((u) => u === url(0)).length, 1);
    assert.equal(s.fetched.length, CERT_CACHE_SIZE + 20);
  });
});
