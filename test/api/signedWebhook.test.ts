// Signed Event Webhook (issue 4): once a customer has a verification key, every webhook request
// must carry a valid X-Twilio-Email-Event-Webhook-Signature over the timestamp header followed
// by the raw body bytes. SendGrid's own @sendgrid/eventwebhook is the independent oracle.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { EventWebhook } from '@sendgrid/eventwebhook';
import { normalizeWebhookKey } from '../../src/auth/webhookSignature.js';
import { type Fixture, at, basicAuth, fixture } from '../helpers.js';

const NOW = new Date('2024-06-01T12:00:00Z');
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
// What SendGrid's settings page shows: the public key as base64 DER, no PEM armour.
const sendgridKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

function signed(body: string, timestamp = '1717243200', key = privateKey): Record<string, string> {
  const signature = sign('sha256', Buffer.from(timestamp + body), { key, dsaEncoding: 'der' }).toString('base64');
  return { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp };
}

const events = (n: number) => JSON.stringify([{ event: 'processed', timestamp: at('2024-06-01T08:00:00Z') + n, email: 'a@x', sg_message_id: `m${n}`, category: 'ünï€ode' }]);

describe('signed Event Webhook', () => {
  let f: Fixture;
  const post = (body: string, headers: Record<string, string> = {}, contentType = 'application/json') =>
    f.app.inject({
      method: 'POST',
      url: '/webhooks/events?user=c1',
      headers: { authorization: basicAuth('r1', 'key-r1-secret'), 'content-type': contentType, ...headers },
      payload: body,
    });
  const requests = async () => (await f.store.aggregate(f.customer.id)).requests;

  before(async () => {
    f = await fixture(NOW);
    assert.equal(await f.store.setWebhookKey('c1', normalizeWebhookKey(sendgridKey)), true);
  });
  after(async () => {
    await f.close();
  });

  test('our signing agrees with SendGrid\'s verifier (the oracle), and the server accepts it', async () => {
    const body = events(1);
    const headers = signed(body);
    const oracle = new EventWebhook();
    const key = oracle.convertPublicKeyToECDSA(sendgridKey);
    assert.equal(oracle.verifySignature(key, body, headers['x-twilio-email-event-webhook-signature']!, headers['x-twilio-email-event-webhook-timestamp']!), true);
    assert.equal(oracle.verifySignature(key, `${body} `, headers['x-twilio-email-event-webhook-signature']!, headers['x-twilio-email-event-webhook-timestamp']!), false);

    const res = await post(body, headers);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().accepted, 1);
    // NDJSON is signed over its raw bytes too.
    const ndjson = `${events(2).slice(1, -1)}\n`;
    assert.equal((await post(ndjson, signed(ndjson), 'application/x-ndjson')).statusCode, 200);
    assert.equal(await requests(), 2);
  });

  const refused: Array<[string, () => [string, Record<string, string>]]> = [
    ['no signature headers', () => [events(3), {}]],
    ['only the signature header', () => [events(3), { 'x-twilio-email-event-webhook-signature': signed(events(3))['x-twilio-email-event-webhook-signature']! }]],
    ['a body changed after signing', () => [events(3).replace('a@x', 'b@x'), signed(events(3))]],
    ['a different timestamp', () => [events(3), { ...signed(events(3)), 'x-twilio-email-event-webhook-timestamp': '1717243201' }]],
    ['a signature by another key', () => [events(3), signed(events(3), '1717243200', other.privateKey)]],
    ['a signature that is not base64 DER', () => [events(3), { ...signed(events(3)), 'x-twilio-email-event-webhook-signature': 'bm90IGEgc2lnbmF0dXJl' }]],
  ];
  for (const [label, make] of refused) {
    test(`${label} → 403 in the envelope, nothing applied or quarantined`, async () => {
      const before = await requests();
      const [body, headers] = make();
      const res = await post(body, headers);
      assert.equal(res.statusCode, 403);
      const parsed = res.json() as { message: string; errors: string[] };
      assert.equal(parsed.message, 'error');
      assert.match(parsed.errors[0] ?? '', /^error in signature: /);
      assert.equal(await requests(), before);
      assert.deepEqual(await f.store.quarantined(f.customer.id, 10), []);
    });
  }

  test('credentials are still checked first (401), and other customers are unaffected', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/webhooks/events?user=c1', headers: { authorization: basicAuth('r1', 'wrong'), 'content-type': 'application/json' }, payload: events(4) });
    assert.equal(res.statusCode, 401);
  });

  test('a replayed signed request is a duplicate and does not quarantine its rejected events again', async () => {
    const body = JSON.stringify([
      { event: 'processed', timestamp: at('2024-06-01T09:00:00Z'), email: 'r@x', sg_message_id: 'replayed' },
      { event: 'not-a-type', timestamp: at('2024-06-01T09:00:00Z'), email: 'r@x' },
      { event: 'processed', timestamp: 'yesterday' },
    ]);
    const headers = signed(body);
    const first = await post(body, headers);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().rejected.length, 2);
    const quarantined = (await f.store.quarantined(f.customer.id, 100)).length;
    const before = await requests();
    for (let i = 0; i < 3; i++) {
      const replay = await post(body, headers);
      assert.equal(replay.statusCode, 200, replay.body);
      assert.deepEqual(replay.json(), { accepted: 0, duplicates: 1, rejected: first.json().rejected });
    }
    assert.equal(await requests(), before);
    assert.equal((await f.store.quarantined(f.customer.id, 100)).length, quarantined, 'the quarantine did not grow');
  });

  test('clearing the key accepts unsigned requests again', async () => {
    assert.equal(await f.store.setWebhookKey('c1', null), true);
    assert.equal((await post(events(5))).statusCode, 200);
  });

  test('keys are accepted as SendGrid base64 or PEM, and anything else is refused', () => {
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.equal(normalizeWebhookKey(sendgridKey), pem);
    assert.equal(normalizeWebhookKey(`\n${pem}\n`), pem);
    assert.throws(() => normalizeWebhookKey('not a key'), /not a public key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(() => normalizeWebhookKey(rsa), /ECDSA P-256/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    assert.throws(() => normalizeWebhookKey(p384), /ECDSA P-256/);
  });
});
