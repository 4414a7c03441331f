// Credentials (issue 4): rotation bites at once despite the cache, failed attempts are throttled
// with 429 in the endpoint's envelope without locking the real reseller out, and no secret
// reaches a log line.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { buildApp, defaultLogger } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { redactUrl } from '../../src/http/redact.js';
import { hashApiKey } from '../../src/auth/keys.js';
import { type Fixture, basicAuth, fixture, openTempSqlite, tempDir } from '../helpers.js';

const NOW = new Date('2024-06-01T12:00:00Z');
const url = (key: string, format = 'json') => `/api/distributor.manage.${format}?api_user=r1&api_key=${encodeURIComponent(key)}&method=stats&user=c1&aggregate=1`;

describe('key rotation', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => {
    await f.close();
  });

  test('the old key stops working at once, even while it is cached', async () => {
    assert.equal((await f.app.inject({ url: url('key-r1-secret') })).statusCode, 200);
    assert.equal((await f.app.inject({ url: url('key-r1-secret') })).statusCode, 200, 'now served from the cache');
    const { salt, hash } = await hashApiKey('key-r1-rotated');
    assert.equal(await f.store.rotateKey('r1', salt, hash, Buffer.from('digest-1')), true);
    const old = await f.app.inject({ url: url('key-r1-secret') });
    assert.equal(old.statusCode, 401);
    assert.deepEqual(old.json(), { message: 'error', errors: ['Bad username / password'] });
    assert.equal((await f.app.inject({ url: url('key-r1-rotated') })).statusCode, 200);
    assert.equal(await f.store.rotateKey('nobody', salt, hash, Buffer.from('digest-2')), false);
  });
});

describe('throttling failed authentication', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(async () => {
    await f.close();
  });

  test('an address that keeps failing gets 429 with Retry-After, in JSON and XML and on the webhook', async () => {
    const attacker = '198.51.100.7';
    for (let i = 0; i < 20; i++) {
      assert.equal((await f.app.inject({ url: url(`guess-${i}`), remoteAddress: attacker })).statusCode, 401);
    }
    const json = await f.app.inject({ url: url('guess-x'), remoteAddress: attacker });
    assert.equal(json.statusCode, 429);
    assert.match(String(json.headers['retry-after']), /^\d+$/);
    assert.deepEqual(json.json(), { message: 'error', errors: ['Too many failed authentication attempts; retry later'] });
    const xml = await f.app.inject({ url: url('guess-y', 'xml'), remoteAddress: attacker });
    assert.equal(xml.statusCode, 429);
    assert.match(xml.body, /<error>Too many failed authentication attempts; retry later<\/error>/);
    const hook = await f.app.inject({
      method: 'POST',
      url: '/webhooks/events?user=c1',
      remoteAddress: attacker,
      headers: { authorization: basicAuth('r1', 'guess-z'), 'content-type': 'application/json' },
      payload: '[]',
    });
    assert.equal(hook.statusCode, 429);
    // Another address is not affected.
    assert.equal((await f.app.inject({ url: url('key-r1-secret'), remoteAddress: '203.0.113.1' })).statusCode, 200);
  });

  test('guessing from many addresses slows the api_user down but does not lock its owner out', async () => {
    const g = await fixture(NOW);
    try {
      for (let i = 0; i < 25; i++) {
        assert.equal((await g.app.inject({ url: url(`guess-${i}`), remoteAddress: `192.0.2.${i}` })).statusCode, 401);
      }
      // A guesser is now held to one try every few seconds…
      assert.equal((await g.app.inject({ url: url('guess-a'), remoteAddress: '192.0.2.200' })).statusCode, 401);
      assert.equal((await g.app.inject({ url: url('guess-b'), remoteAddress: '192.0.2.200' })).statusCode, 429);
      // …while the real reseller, from its own address, gets in (and is then cached).
      assert.equal((await g.app.inject({ url: url('key-r1-secret'), remoteAddress: '203.0.113.9' })).statusCode, 200);
      assert.equal((await g.app.inject({ url: url('key-r1-secret'), remoteAddress: '203.0.113.9' })).statusCode, 200);
    } finally {
      await g.close();
    }
  });
});

describe('secrets never reach the log', () => {
  test('api_key, api_user, Authorization and signature headers are absent from every log line', async () => {
    const dir = tempDir();
    const store = openTempSqlite(dir);
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const { salt, hash } = await hashApiKey('very-secret-key-1');
    await store.addReseller('r1', salt, hash);
    const r1 = await store.findReseller('r1');
    await store.addCustomer('c1', r1!.id, 'UTC');
    const app = await buildApp({ store, now: () => NOW, logger: { ...(defaultLogger('trace') as object), stream } });
    try {
      await app.inject({ url: url('very-secret-key-1') });
      await app.inject({ url: url('very-secret-key-2') });
      await app.inject({ method: 'POST', url: '/api/distributor.manage.json', payload: 'api_user=r1&api_key=very-secret-key-3&method=stats&user=c1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      await app.inject({
        method: 'POST',
        url: '/webhooks/events?user=c1',
        headers: {
          authorization: basicAuth('r1', 'very-secret-key-4'),
          'content-type': 'application/json',
          'x-twilio-email-event-webhook-signature': 'very-secret-signature',
          'x-twilio-email-event-webhook-timestamp': '1700000000',
        },
        payload: '[]',
      });
      const log = lines.join('');
      assert.ok(lines.length >= 4, 'every request was logged');
      for (const secret of ['very-secret-key', basicAuth('r1', 'very-secret-key-4').slice(6), 'very-secret-signature']) {
        assert.equal(log.includes(secret), false, `${secret} leaked into the log`);
      }
      assert.match(log, /api_key=\[redacted\]/);
    } finally {
      await app.close();
      await store.close();
      dir.cleanup();
    }
  });
});

describe('every spelling the parameter parser accepts is redacted (issue 10, item 5)', () => {
  test('api_key[]=, api%5Fkey=, %61pi_key=, … authenticate yet never reach a log line, in the URL or a form body', async () => {
    const dir = tempDir();
    const store = openTempSqlite(dir);
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const { salt, hash } = await hashApiKey('very-secret-key-5');
    await store.addReseller('secret-user-name', salt, hash);
    const owner = await store.findReseller('secret-user-name');
    await store.addCustomer('c1', owner!.id, 'UTC');
    const app = await buildApp({ store, now: () => NOW, logger: { ...(defaultLogger('info') as object), stream } });
    const userSpellings = ['api_user', 'api_user[]', 'api%5Fuser', 'api%5fuser%5B%5D', '%61pi_user', 'api_user%5b%5d'];
    const keySpellings = ['api_key', 'api_key[]', 'api%5Fkey', 'api%5fkey%5B%5D', '%61pi_key', 'api_key%5b%5d', 'api%5F%6B%65%79'];
    try {
      for (const [i, keyName] of keySpellings.entries()) {
        const userName = userSpellings[i % userSpellings.length] as string;
        const params = `${userName}=secret-user-name&${keyName}=very-secret-key-5&method=stats&user=c1&aggregate=1`;
        const get = await app.inject({ url: `/api/distributor.manage.json?${params}` });
        assert.equal(get.statusCode, 200, `GET with ${keyName} authenticates`);
        const post = await app.inject({
          method: 'POST',
          url: `/api/distributor.manage.xml?${userName}=secret-user-name`,
          payload: `${keyName}=very-secret-key-5&method=stats&user=c1&aggregate=1`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        assert.equal(post.statusCode, 200, `POST with ${keyName} authenticates`);
      }
      const log = lines.join('');
      assert.ok(lines.length >= keySpellings.length * 2, 'every request was logged');
      assert.equal(log.includes('very-secret-key'), false, `the key leaked: ${log}`);
      assert.equal(log.includes('secret-user-name'), false, 'the api_user leaked');
      assert.match(log, /api%5Fkey=\[redacted\]/);
    } finally {
      await app.close();
      await store.close();
      dir.cleanup();
    }
  });

  test('redaction decodes keys as the parser does and leaves everything else alone', () => {
    assert.equal(redactUrl('/api/x.json?a=1&api_key[]=s&b=2'), '/api/x.json?a=1&api_key[]=[redacted]&b=2');
    assert.equal(redactUrl('/api/x.json#api_key=s'), '/api/x.json#api_key=[redacted]', 'the router also starts a query at #');
    assert.equal(redactUrl('/api/x.json?API_KEY=s&password=p&confirm_password=q'), '/api/x.json?API_KEY=[redacted]&password=[redacted]&confirm_password=[redacted]');
    assert.equal(redactUrl('/api/x.json?api+key=s&api_keys=t&x=api_key%3Ds'), '/api/x.json?api+key=s&api_keys=t&x=api_key%3Ds', 'other names are not secrets');
    assert.equal(redactUrl('/api/x.json?api_key%zz=s'), '/api/x.json?api_key%zz=s', 'an undecodable key stays as the parser leaves it: not api_key');
  });
});

describe('X-Forwarded-For is believed only from listed proxies (issue 10, item 6)', () => {
  test('rotating X-Forwarded-For does not escape the throttle, directly or through a trusted proxy', async () => {
    const f = await fixture(NOW);
    const app = await buildApp({ store: f.store, now: () => NOW, trustProxy: loadConfig({ MAILTALLY_TRUST_PROXY: '10.0.0.0/8' }).trustProxy });
    try {
      const guess = (i: number, remoteAddress: string, xff: string) => app.inject({ url: url(`guess-${i}`), remoteAddress, headers: { 'x-forwarded-for': xff } });
      // A client talking to the server directly: its X-Forwarded-For is its own invention.
      const direct = [];
      for (let i = 0; i < 25; i++) direct.push((await guess(i, '198.51.100.7', `203.0.113.${i}`)).statusCode);
      assert.deepEqual(direct.slice(20), [429, 429, 429, 429, 429]);
      // Through the trusted proxy, which appends the address it saw: only that hop counts.
      const proxied = [];
      for (let i = 0; i < 25; i++) proxied.push((await guess(i, '10.1.2.3', `203.0.113.${i}, 198.51.100.8`)).statusCode);
      assert.deepEqual(proxied.slice(20), [429, 429, 429, 429, 429]);
      // Another client behind the same proxy is its own address.
      assert.equal((await app.inject({ url: url('key-r1-secret'), remoteAddress: '10.1.2.3', headers: { 'x-forwarded-for': '192.0.2.77' } })).statusCode, 200);
    } finally {
      await app.close();
      await f.close();
    }
  });
});
