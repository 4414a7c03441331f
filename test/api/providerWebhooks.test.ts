// POST /webhooks/<provider> (SPEC section 7): the route, its auth and errors, the shared ingest
// path (answer, quarantine, duplicates), two providers adding up for one customer, and the
// signature wiring (with injected verifiers: the real ones come from the sigs branch).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { SignatureVerifiers } from '../../src/http/providerSignatures.js';
import { type Fixture, basicAuth, fixture } from '../helpers.js';
import { brevo, mailgun, mailjetSentText, postal, postmark, resend, sparkpost } from '../fixtures/providers.js';

const NOW = new Date('2026-01-01T12:00:00Z');
const AUTH = basicAuth('r1', 'key-r1-secret');

function post(app: FastifyInstance, provider: string, body: unknown, o: { headers?: Record<string, string>; contentType?: string; user?: string; auth?: string | null } = {}) {
  const headers: Record<string, string> = { 'content-type': o.contentType ?? 'application/json', ...o.headers };
  if (o.auth !== null) headers.authorization = o.auth ?? AUTH;
  return app.inject({ method: 'POST', url: `/webhooks/${provider}?user=${o.user ?? 'c1'}`, headers, payload: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function aggregate(app: FastifyInstance): Promise<Record<string, number>> {
  const res = await app.inject({ method: 'GET', url: '/api/distributor.manage.json?api_user=r1&api_key=key-r1-secret&method=stats&user=c1&aggregate=1' });
  return res.json();
}

describe('POST /webhooks/<provider>', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => f.close());

  const samples: Array<[string, unknown, Record<string, number>]> = [
    ['mailgun', mailgun.failedPermanent, { requests: 1, bounces: 1 }],
    ['postmark', postmark.bounce, { requests: 1, bounces: 1 }],
    ['sparkpost', sparkpost.bounce, { requests: 1, bounces: 1 }],
    ['mailjet', mailjetSentText, { requests: 1 }],
    ['brevo', [brevo.hardBounce], { requests: 1, bounces: 1 }],
    ['resend', resend.bounced, { requests: 1, bounces: 1 }],
    ['postal', postal.failed, { requests: 1, bounces: 1 }],
  ];
  for (const [provider, body, adds] of samples) {
    test(`${provider}: 200 with the ingest answer after the commit, counted in v1 stats, the same body again only duplicates`, async () => {
      const before = await aggregate(f.app);
      const res = await post(f.app, provider, body);
      assert.equal(res.statusCode, 200, res.body);
      const answer = res.json();
      assert.equal(answer.duplicates, 0);
      assert.deepEqual(answer.rejected, []);
      const afterOnce = await aggregate(f.app);
      for (const [metric, n] of Object.entries(adds)) assert.equal(afterOnce[metric], (before[metric] ?? 0) + n, `${provider} ${metric}`);
      const again = await post(f.app, provider, body);
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().accepted, 0);
      assert.deepEqual(await aggregate(f.app), afterOnce);
    });
  }

  test('/webhooks/sendgrid is /webhooks/events', async () => {
    const events = [{ event: 'processed', timestamp: 1767225600, email: 'a@example.com', sg_message_id: 'sg-alias-1' }];
    const res = await post(f.app, 'sendgrid', events);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { accepted: 1, duplicates: 0, rejected: [] });
    const again = await f.app.inject({ method: 'POST', url: '/webhooks/events?user=c1', headers: { authorization: AUTH, 'content-type': 'application/json' }, payload: JSON.stringify(events) });
    assert.deepEqual(again.json(), { accepted: 0, duplicates: 1, rejected: [] });
  });

  test('an unknown provider is 404 in the envelope, before credentials', async () => {
    for (const name of ['nope', '__proto__', 'toString']) {
      const res = await post(f.app, name, {}, { auth: null });
      assert.equal(res.statusCode, 404, name);
      assert.equal(res.json().message, 'error');
      assert.match(res.json().errors[0], /^error in provider: unknown provider/);
    }
  });

  test('401 with WWW-Authenticate: Basic on every provider route; another reseller\'s customer is user not found', async () => {
    for (const provider of ['mailgun', 'postmark', 'postal', 'sendgrid', 'ses']) {
      const res = await post(f.app, provider, {}, { auth: basicAuth('r1', 'wrong') });
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], 'Basic realm="mailtally"');
    }
    const res = await post(f.app, 'postmark', postmark.delivery, { user: 'c2' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), { message: 'error', errors: ['error in user: user not found'] });
  });

  test('400 for a body that is not JSON or not the provider\'s envelope; 415 for form bodies; text/plain is read', async () => {
    assert.deepEqual((await post(f.app, 'postmark', '{nope')).json(), { message: 'error', errors: ['error in body: is not valid JSON'] });
    const notEnvelope = await post(f.app, 'sparkpost', { msys: {} });
    assert.equal(notEnvelope.statusCode, 400);
    assert.match(notEnvelope.json().errors[0], /^error in body: is not a sparkpost webhook payload/);
    assert.equal((await post(f.app, 'mailgun', 'a=b', { contentType: 'application/x-www-form-urlencoded' })).statusCode, 415);
    const plain = await post(f.app, 'postmark', { ...postmark.open, MessageID: 'plain-1' }, { contentType: 'text/plain; charset=UTF-8' });
    assert.equal(plain.statusCode, 200, plain.body);
  });

  test('413 for a body over the limit', async () => {
    const small = await buildApp({ store: f.store, now: () => NOW, webhookBodyLimit: 1000 });
    try {
      const res = await post(small, 'sparkpost', [{ msys: { message_event: { type: 'delivery', pad: 'x'.repeat(2000) } } }]);
      assert.equal(res.statusCode, 413);
    } finally {
      await small.close();
    }
  });

  test('a poison item of a batch is quarantined whole as the provider sent it; the rest is applied', async () => {
    const poison = { msys: { message_event: { type: 'delivery', event_id: 'poison', timestamp: '1767225600', rcpt_to: 'x@example.com' } } };
    const res = await post(f.app, 'sparkpost', [{ msys: { message_event: { ...sparkpost.delivery[0]?.msys.message_event, event_id: 'ok-1', transmission_id: 'tq' } } }, poison]);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().rejected, [{ index: 1, error: 'sparkpost: the event names no message id' }]);
    assert.equal(res.json().accepted, 2);
    const rows = await f.store.quarantined(f.customer.id, 100);
    assert.deepEqual(JSON.parse(rows.at(-1)?.payload ?? 'null'), poison);
  });
});

describe('one customer, several providers', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => f.close());

  test('events of two providers add up in the same rollups', async () => {
    await post(f.app, 'postmark', postmark.delivery);
    await post(f.app, 'mailgun', mailgun.delivered);
    await post(f.app, 'postal', postal.sent);
    const agg = await aggregate(f.app);
    assert.equal(agg.requests, 3);
  });
});

describe('the split by provider: /v3/stats?group_by=provider (issue 12 item 6)', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => f.close());
  const T = 1767258000; // 2026-01-01T09:00:00Z
  const v3 = (query: string, onBehalfOf: string | null = 'c1') =>
    f.app.inject({ method: 'GET', url: `/v3/stats?${query}`, headers: { authorization: 'Bearer key-r1-secret', ...(onBehalfOf ? { 'on-behalf-of': onBehalfOf } : {}) } });

  test('one entry per provider the customer\'s events came through, SendGrid\'s own webhook as `sendgrid`; together they make the plain answer', async () => {
    const sendgrid = await f.app.inject({ method: 'POST', url: '/webhooks/events?user=c1', headers: { authorization: AUTH, 'content-type': 'application/json' }, payload: JSON.stringify([{ event: 'delivered', timestamp: T, email: 'a@example.com', sg_message_id: 'split-sg-1' }]) });
    assert.equal(sendgrid.statusCode, 200, sendgrid.body);
    const sp = await post(f.app, 'sparkpost', [{ msys: { message_event: { type: 'delivery', event_id: 'split-sp', transmission_id: 'split-t', rcpt_to: 'b@example.com', timestamp: String(T) } } }]);
    assert.equal(sp.json().accepted, 2);
    const br = await post(f.app, 'brevo', { event: 'delivered', email: 'c@example.com', 'message-id': '<split@smtp-relay.mailin.fr>', ts_event: T });
    assert.equal(br.json().accepted, 2);
    assert.equal((await post(f.app, 'brevo', { event: 'opened', email: 'c@example.com', 'message-id': '<split@smtp-relay.mailin.fr>', ts_event: T + 60 })).json().accepted, 1);

    const res = await v3('start_date=2026-01-01&end_date=2026-01-01&group_by=provider');
    assert.equal(res.statusCode, 200, res.body);
    const [point] = res.json() as Array<{ date: string; stats: Array<{ type: string; name: string; metrics: Record<string, number> }> }>;
    assert.equal(point?.date, '2026-01-01');
    assert.deepEqual(point?.stats.map((s) => [s.type, s.name]), [['provider', 'brevo'], ['provider', 'sendgrid'], ['provider', 'sparkpost']]);
    const by = Object.fromEntries((point?.stats ?? []).map((s) => [s.name, s.metrics]));
    assert.deepEqual([by.brevo?.requests, by.brevo?.delivered, by.brevo?.opens, by.brevo?.unique_opens], [1, 1, 1, 1]);
    assert.deepEqual([by.sendgrid?.requests, by.sendgrid?.delivered], [0, 1]);
    assert.deepEqual([by.sparkpost?.requests, by.sparkpost?.delivered, by.sparkpost?.opens], [1, 1, 0]);
    const plain = (await v3('start_date=2026-01-01&end_date=2026-01-01')).json()[0].stats[0].metrics as Record<string, number>;
    for (const [metric, total] of Object.entries(plain)) {
      assert.equal(Object.values(by).reduce((sum, m) => sum + (m?.[metric] ?? 0), 0), total, metric);
    }
  });

  test('group_by other than provider, or without on-behalf-of, is a 400 in the v3 envelope', async () => {
    const other = await v3('start_date=2026-01-01&group_by=category');
    assert.equal(other.statusCode, 400);
    assert.match(other.body, /group_by/);
    const parent = await v3('start_date=2026-01-01&group_by=provider', null);
    assert.equal(parent.statusCode, 400);
    assert.match(parent.body, /on-behalf-of/);
  });
});

describe('signature wiring (injected verifiers)', () => {
  let f: Fixture;
  let app: FastifyInstance;
  const calls: string[] = [];
  let verdict = true;
  const fake: SignatureVerifiers = {
    mailgun: (key, s) => (calls.push(`mailgun ${key} ${s.token}`), verdict),
    svix: (key, h) => (calls.push(`svix ${key} ${h.id}`), verdict),
    postal: (key, _b, h) => (calls.push(`postal ${key} ${h.signature256 ?? h.signature1}`), verdict),
  };
  before(async () => {
    f = await fixture(NOW);
    app = await buildApp({ store: f.store, now: () => NOW, signatureVerifiers: fake });
  });
  after(async () => {
    await app.close();
    await f.close();
  });

  test('without a key, nothing is checked', async () => {
    const res = await post(app, 'mailgun', mailgun.delivered);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(calls, []);
  });

  test('with a Mailgun key: no signature block → 403; a failing signature → 403 and nothing applied; a good one → 200', async () => {
    await f.store.setProviderWebhookKey('c1', 'mailgun', 'mg-key');
    const before = await aggregate(app);
    const unsigned = await post(app, 'mailgun', { 'event-data': mailgun.opened['event-data'] });
    assert.equal(unsigned.statusCode, 403);
    assert.match(unsigned.json().errors[0], /^error in signature: /);
    verdict = false;
    const bad = await post(app, 'mailgun', mailgun.opened);
    assert.equal(bad.statusCode, 403);
    assert.deepEqual(await aggregate(app), before);
    verdict = true;
    const good = await post(app, 'mailgun', mailgun.opened);
    assert.equal(good.statusCode, 200);
    assert.equal(good.json().accepted, 1);
    assert.ok(calls.includes(`mailgun mg-key ${mailgun.opened.signature.token}`));
  });

  test('Mailgun replay: the same token with another body is 403; the same body again is a retry answered as duplicates', async () => {
    const retry = await post(app, 'mailgun', mailgun.opened);
    assert.equal(retry.statusCode, 200);
    assert.deepEqual(retry.json(), { accepted: 0, duplicates: 1, rejected: [] });
    const tampered = { ...mailgun.opened, 'event-data': { ...mailgun.opened['event-data'], id: 'forged', recipient: 'victim@example.com' } };
    const before = await aggregate(app);
    const replay = await post(app, 'mailgun', tampered);
    assert.equal(replay.statusCode, 403);
    assert.match(replay.json().errors[0], /replay/);
    assert.deepEqual(await aggregate(app), before);
  });

  test('a replay token expires with the retention window', async () => {
    const later = await buildApp({ store: f.store, now: () => new Date(NOW.getTime() + 8 * 86_400_000), signatureVerifiers: fake });
    try {
      const tampered = { ...mailgun.opened, 'event-data': { ...mailgun.opened['event-data'], id: 'much-later' } };
      assert.equal((await post(later, 'mailgun', tampered)).statusCode, 200);
    } finally {
      await later.close();
    }
  });

  test('Resend with a key: missing svix headers → 403; signed → 200 with the secret and svix-id passed on', async () => {
    await f.store.setProviderWebhookKey('c1', 'resend', 'whsec_test');
    assert.equal((await post(app, 'resend', resend.opened)).statusCode, 403);
    const res = await post(app, 'resend', resend.opened, { headers: { 'svix-id': 'msg_9', 'svix-timestamp': String(NOW.getTime() / 1000), 'svix-signature': 'v1,abc' } });
    assert.equal(res.statusCode, 200);
    assert.ok(calls.includes('svix whsec_test msg_9'));
  });

  test('Postal with a key: missing signature headers → 403; X-Postal-Signature-256 → 200; a failing signature → 403', async () => {
    await f.store.setProviderWebhookKey('c1', 'postal', 'PUBKEY');
    assert.equal((await post(app, 'postal', postal.loaded)).statusCode, 403);
    assert.equal((await post(app, 'postal', postal.loaded, { headers: { 'x-postal-signature-256': 'sig256' } })).statusCode, 200);
    assert.ok(calls.includes('postal PUBKEY sig256'));
    verdict = false;
    assert.equal((await post(app, 'postal', postal.clicked, { headers: { 'x-postal-signature': 'sig1' } })).statusCode, 403);
    verdict = true;
  });

  test('clearing a key stops the check', async () => {
    await f.store.setProviderWebhookKey('c1', 'postal', null);
    assert.equal((await post(app, 'postal', postal.clicked)).statusCode, 200);
  });
});
