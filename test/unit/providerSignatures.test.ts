// Mailgun HMAC, Resend/Svix and Postal RSA signatures, with keys made here. The signing side is
// written from each provider's documentation with node:crypto, independently of the verifiers.
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { verifyMailgunSignature } from '../../src/providers/signatures/mailgun.js';
import { isSvixSecret, verifySvixSignature } from '../../src/providers/signatures/svix.js';
import { postalPublicKey, verifyPostalSignature } from '../../src/providers/signatures/postal.js';

describe('Mailgun signature (HMAC-SHA256 over timestamp + token)', () => {
  const key = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
  const mailgunSign = (timestamp: string, token: string, k = key) => ({
    timestamp,
    token,
    signature: createHmac('sha256', k).update(timestamp + token).digest('hex'),
  });

  test('a signature made with the signing key verifies, in either hex case', () => {
    const s = mailgunSign('1534108637', '651869375b9df3c98fc15c4889b102119add1235c38fc92824');
    assert.equal(verifyMailgunSignature(key, s), true);
    assert.equal(verifyMailgunSignature(key, { ...s, signature: s.signature.toUpperCase() }), true);
  });
  test('another key, a changed timestamp or token, or a malformed signature is refused', () => {
    const s = mailgunSign('1534108637', 'tok-1');
    assert.equal(verifyMailgunSignature('key-other', s), false);
    assert.equal(verifyMailgunSignature(key, { ...s, timestamp: '1534108638' }), false);
    assert.equal(verifyMailgunSignature(key, { ...s, token: 'tok-2' }), false);
    assert.equal(verifyMailgunSignature(key, { ...s, signature: s.signature.slice(0, 62) }), false);
    assert.equal(verifyMailgunSignature(key, { ...s, signature: `${s.signature.slice(0, 63)}g` }), false);
    assert.equal(verifyMailgunSignature('', mailgunSign('1', 't', '')), false);
  });
});

describe('Svix / Resend signature', () => {
  const raw = randomBytes(24);
  const secret = `whsec_${raw.toString('base64')}`;
  const now = 1_717_243_200;
  const body = Buffer.from('{"type":"email.delivered","created_at":"2024-06-01T12:00:00.000Z","data":{"email_id":"e1"}}');
  // docs.svix.com "Verifying payloads manually": base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`.
  const svixSign = (id: string, ts: number, b: Buffer, k = raw) =>
    `v1,${createHmac('sha256', k).update(`${id}.${ts}.`).update(b).digest('base64')}`;
  const headers = (ts = now, b = body) => ({ id: 'msg_2Lh9KRb0pzN4LePd3XiA4X2YaRw', timestamp: String(ts), signature: svixSign('msg_2Lh9KRb0pzN4LePd3XiA4X2YaRw', ts, b) });

  test('valid: with or without the whsec_ prefix, and among several space-separated entries', () => {
    assert.equal(verifySvixSignature(secret, headers(), body, now), true);
    assert.equal(verifySvixSignature(raw.toString('base64'), headers(), body, now), true);
    const h = headers();
    assert.equal(verifySvixSignature(secret, { ...h, signature: `v1,AAAA v2,zzz ${h.signature}` }, body, now), true);
    assert.equal(isSvixSecret(secret), true);
    assert.equal(isSvixSecret('not a secret!'), false);
  });
  test('agrees with standardwebhooks (the library Resend\'s SDK verifies with), the oracle', () => {
    const oracle = new Webhook(secret);
    const librarySigned = oracle.sign('msg_1', new Date(now * 1000), body);
    assert.equal(verifySvixSignature(secret, { id: 'msg_1', timestamp: String(now), signature: librarySigned }, body, now), true);
    assert.equal(verifySvixSignature(secret, { id: 'msg_1', timestamp: String(now), signature: librarySigned }, Buffer.from(`${body}x`), now), false);
    const h = headers(Math.floor(Date.now() / 1000));
    assert.doesNotThrow(() => oracle.verify(body, { 'webhook-id': h.id, 'webhook-timestamp': h.timestamp, 'webhook-signature': h.signature }));
  });
  test('tampered body, other id, wrong secret or no v1 entry is refused', () => {
    assert.equal(verifySvixSignature(secret, headers(), Buffer.concat([body, Buffer.from(' ')]), now), false);
    assert.equal(verifySvixSignature(secret, { ...headers(), id: 'msg_other' }, body, now), false);
    assert.equal(verifySvixSignature(`whsec_${randomBytes(24).toString('base64')}`, headers(), body, now), false);
    assert.equal(verifySvixSignature(secret, { ...headers(), signature: headers().signature.replace('v1,', 'v2,') }, body, now), false);
    assert.equal(verifySvixSignature(secret, { id: 'x', timestamp: String(now) }, body, now), false);
  });
  test('a timestamp more than 5 minutes from now is refused, even correctly signed (replay / skew)', () => {
    assert.equal(verifySvixSignature(secret, headers(now - 300), body, now), true);
    assert.equal(verifySvixSignature(secret, headers(now + 300), body, now), true);
    assert.equal(verifySvixSignature(secret, headers(now - 301), body, now), false);
    assert.equal(verifySvixSignature(secret, headers(now + 301), body, now), false);
    assert.equal(verifySvixSignature(secret, { ...headers(), timestamp: `${now}abc` }, body, now), false);
  });
});

describe('Postal signature (RSA, X-Postal-Signature-256 preferred, else SHA-1)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // What Postal's Webhooks page shows: the public key as bare base64 DER.
  const bare = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const body = Buffer.from('{"event":"MessageSent","timestamp":1717243200.1,"payload":{},"uuid":"u1"}');
  const sig = (alg: string, b = body, key = privateKey) => sign(alg, b, key).toString('base64');

  test('SHA-256 and SHA-1 signatures verify, with the key as bare base64 DER or PEM', () => {
    for (const key of [bare, pem]) {
      assert.equal(verifyPostalSignature(key, body, { signature256: sig('sha256') }), true);
      assert.equal(verifyPostalSignature(key, body, { signature1: sig('sha1') }), true);
      assert.equal(verifyPostalSignature(key, body, { signature256: sig('sha256'), signature1: sig('sha1') }), true);
    }
  });
  test('tampered body, wrong key, no signature, or a bad SHA-256 next to a good SHA-1 is refused', () => {
    assert.equal(verifyPostalSignature(bare, Buffer.concat([body, Buffer.from('x')]), { signature256: sig('sha256') }), false);
    assert.equal(verifyPostalSignature(bare, body, { signature256: sig('sha256', body, other.privateKey) }), false);
    assert.equal(verifyPostalSignature(bare, body, { signature1: sig('sha1', body, other.privateKey) }), false);
    assert.equal(verifyPostalSignature(bare, body, {}), false);
    // SHA-256 is the one checked when present: a downgrade to a (forged) SHA-1 cannot rescue it.
    assert.equal(verifyPostalSignature(bare, body, { signature256: sig('sha256', body, other.privateKey), signature1: sig('sha1') }), false);
    assert.equal(verifyPostalSignature('not a key', body, { signature256: sig('sha256') }), false);
  });
  test('a key that is not RSA is refused when set', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    assert.throws(() => postalPublicKey(ec), /RSA public key/);
    assert.equal(postalPublicKey(bare).asymmetricKeyType, 'rsa');
  });
});
