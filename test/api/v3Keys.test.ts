// How v3 finds a reseller from a Bearer key alone (migration 002, auth/keyDigest.ts and
// auth/bearer.ts): `reseller add` stores the key's lookup digest; resellers created before 002
// get it on their next v1/webhook authentication; `rotate-key` moves it; a wrong key costs no
// scrypt, so failures are throttled per address.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../src/app.js';
import { type Fixture, addReseller, basicAuth, fixture } from '../helpers.js';

const NOW = new Date('2024-01-05T12:00:00Z');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('v3 Bearer keys', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
  });
  after(() => f.close());

  /** The CLI, from source, on the fixture's database. */
  function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
    const where = f.location.databaseUrl ? ['--database-url', f.location.databaseUrl] : ['--db', f.location.dbPath];
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args, ...where, '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '' },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  const sums = (key: string, headers: Record<string, string> = {}) =>
    f.app.inject({ method: 'GET', url: '/v3/subusers/stats/sums?start_date=2024-01-01', headers: { authorization: `Bearer ${key}`, ...headers } });
  const digestOf = async (apiUser: string): Promise<Buffer | null> => {
    const [row] = await f.sql(`SELECT key_digest FROM resellers WHERE api_user = '${apiUser}'`);
    return (row?.key_digest as Buffer | null) ?? null;
  };

  test('a reseller made by `reseller add` is found by its key at once', async () => {
    const made = cli('reseller', 'add', 'fresh', '--api-key', 'SG.fresh-reseller-key');
    assert.equal(made.code, 0, made.stderr);
    const res = await sums('SG.fresh-reseller-key');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { date: '2024-01-01', stats: [] }); // no customers yet
  });

  test('the lookup digest is neither the key nor its bare SHA-256', async () => {
    const digest = await digestOf('fresh');
    assert.ok(digest && digest.length === 32);
    assert.ok(!digest.equals(createHash('sha256').update('SG.fresh-reseller-key').digest()));
    assert.ok(!digest.includes(Buffer.from('SG.fresh-reseller-key')));
  });

  test('`reseller add` refuses a key another reseller already has, and says why', async () => {
    const again = cli('reseller', 'add', 'copycat', '--api-key', 'SG.fresh-reseller-key');
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /that api_key belongs to another account/);
    assert.doesNotMatch(again.stderr, /\n\s+at /);
    assert.equal((await f.sql("SELECT COUNT(*) AS n FROM resellers WHERE api_user = 'copycat'"))[0]?.n, 0);
    assert.match(cli('reseller', 'add', 'fresh', '--api-key', 'SG.another-key-entirely').stderr, /reseller fresh already exists/);
  });

  test('a reseller from before migration 002 gets its digest on its next v1 authentication', async () => {
    await addReseller(f.store, 'oldtimer', 'SG.old-timer-key'); // as 001 did: no digest
    assert.equal(await digestOf('oldtimer'), null);
    assert.equal((await sums('SG.old-timer-key')).statusCode, 401);

    const v1 = await f.app.inject({ method: 'GET', url: '/api/distributor.manage.json?api_user=oldtimer&api_key=SG.old-timer-key&method=stats&user=nobody' });
    assert.equal(v1.statusCode, 400); // authenticated; the customer does not exist
    assert.ok(await digestOf('oldtimer'));
    assert.equal((await sums('SG.old-timer-key')).statusCode, 200);
  });

  test('…or on its next webhook authentication', async () => {
    await addReseller(f.store, 'hooked', 'SG.hooked-key');
    const res = await f.app.inject({
      method: 'POST',
      url: '/webhooks/events?user=nobody',
      headers: { authorization: basicAuth('hooked', 'SG.hooked-key'), 'content-type': 'application/json' },
      payload: '[]',
    });
    assert.equal(res.statusCode, 400);
    assert.equal((await sums('SG.hooked-key')).statusCode, 200);
  });

  test('two resellers given one key before 002: the second one\'s v1 calls still work', async () => {
    await addReseller(f.store, 'twin', 'SG.hooked-key');
    const v1 = await f.app.inject({ method: 'GET', url: '/api/distributor.manage.json?api_user=twin&api_key=SG.hooked-key&method=stats&user=nobody' });
    assert.equal(v1.statusCode, 400, v1.body); // past authentication, although the digest clashes
    assert.equal(await digestOf('twin'), null);
  });

  test('`reseller rotate-key`: the old key stops at once (even when cached), the new one works at once', async () => {
    assert.equal((await sums('SG.fresh-reseller-key')).statusCode, 200); // cached now
    const rotated = cli('reseller', 'rotate-key', 'fresh', '--api-key', 'SG.fresh-rotated-key');
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.equal((await sums('SG.fresh-reseller-key')).statusCode, 401);
    assert.equal((await sums('SG.fresh-rotated-key')).statusCode, 200);
    const clash = cli('reseller', 'rotate-key', 'fresh', '--api-key', 'SG.old-timer-key');
    assert.match(clash.stderr, /that api_key belongs to another account/);
    assert.equal((await sums('SG.fresh-rotated-key')).statusCode, 200, 'a refused rotation changes nothing');
  });

  test('the Authorization header: Bearer (any case) only; anything else is 401', async () => {
    const ok = await f.app.inject({ method: 'GET', url: '/v3/subusers/stats/sums?start_date=2024-01-01', headers: { authorization: 'bearer SG.fresh-rotated-key' } });
    assert.equal(ok.statusCode, 200);
    for (const authorization of [undefined, 'Bearer', 'Bearer ', basicAuth('fresh', 'SG.fresh-rotated-key'), `Bearer ${'x'.repeat(1025)}`, 'Token SG.fresh-rotated-key']) {
      const res = await f.app.inject({ method: 'GET', url: '/v3/subusers/stats/sums?start_date=2024-01-01', headers: authorization ? { authorization } : {} });
      assert.equal(res.statusCode, 401, String(authorization));
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="mailtally"');
      assert.deepEqual(res.json(), { errors: [{ field: null, message: 'Permission denied, wrong credentials' }] });
    }
  });

  test('wrong keys are throttled per address (429 with Retry-After), and a right key still gets through before that', async () => {
    const app = await buildApp({ store: f.store, now: () => NOW, throttle: { failuresPerAddress: 3, failuresPerUser: 3, userSlowdownMs: 5_000 } });
    try {
      const call = (key: string, ip: string) =>
        app.inject({ method: 'GET', url: '/v3/subusers/stats/sums?start_date=2024-01-01', remoteAddress: ip, headers: { authorization: `Bearer ${key}` } });
      for (let i = 0; i < 3; i++) assert.equal((await call(`SG.guess-${i}`, '10.0.0.1')).statusCode, 401);
      const refused = await call('SG.guess-3', '10.0.0.1');
      assert.equal(refused.statusCode, 429);
      assert.ok(Number(refused.headers['retry-after']) > 0);
      assert.deepEqual(refused.json(), { errors: [{ field: null, message: 'Too many failed authentication attempts; retry later' }] });
      assert.equal((await call('SG.fresh-rotated-key', '10.0.0.2')).statusCode, 200, 'another address is not held up');
    } finally {
      await app.close();
    }
  });
});
