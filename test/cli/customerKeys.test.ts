// Issue 13 through the real binary: `customer set-key` (generated key printed once, stored only
// hashed, rotatable), `customer disable|enable`, one namespace for resellers and customers, no
// key shared between two accounts, and `doctor` reporting names stored twice before.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { buildApp } from '../../src/app.js';
import { openPostgres } from '../../src/store/postgres.js';
import { type TempDir, tempDir } from '../helpers.js';
import { createTestDatabase, pgSkip } from '../pg.js';

const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));

function run(args: string[], env: Record<string, string> = { DATABASE_URL: '' }) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function fails(r: { code: number | null; stderr: string }, message: RegExp): void {
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('customer credentials in the CLI', () => {
  let dir: TempDir;
  let db: string;
  const cli = (...args: string[]) => run([...args, '--db', db]);

  before(() => {
    dir = tempDir();
    db = join(dir.path, 'mt.sqlite');
    assert.equal(cli('reseller', 'add', 'r1', '--api-key', 'reseller-one-key').code, 0);
    assert.equal(cli('customer', 'add', 'c1', '--reseller', 'r1').code, 0);
  });
  after(() => dir.cleanup());

  test('set-key generates a 256-bit key, prints it once, stores only a salted scrypt hash', () => {
    const r = cli('customer', 'set-key', 'c1', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { username: string; api_key: string };
    assert.equal(out.username, 'c1');
    assert.match(out.api_key, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(readFileSync(db).includes(Buffer.from(out.api_key)), false, 'not stored in clear');
    const raw = new Database(db, { readonly: true });
    const row = raw.prepare("SELECT key_salt, key_hash, key_digest, disabled FROM customers WHERE username = 'c1'").get() as Record<string, Buffer | number>;
    raw.close();
    assert.equal((row.key_salt as Buffer).length, 16);
    assert.equal((row.key_hash as Buffer).length, 32);
    assert.equal((row.key_digest as Buffer).length, 32);
    assert.equal(row.disabled, 0);
  });

  test('set-key with --api-key replaces the key (human output), and refuses bad input', () => {
    const r = cli('customer', 'set-key', 'c1', '--api-key', 'customer-one-key');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /api_key for customer c1: customer-one-key/);
    fails(cli('customer', 'set-key', 'nobody'), /customer nobody not found/);
    fails(cli('customer', 'set-key', 'c1', '--api-key', 'short'), /--api-key must be/);
  });

  test('no key is held by two accounts, of either kind', () => {
    fails(cli('customer', 'set-key', 'c1', '--api-key', 'reseller-one-key'), /belongs to another account/);
    fails(cli('reseller', 'add', 'r2', '--api-key', 'customer-one-key'), /belongs to another account/);
    fails(cli('reseller', 'rotate-key', 'r1', '--api-key', 'customer-one-key'), /belongs to another account/);
    assert.equal(cli('customer', 'add', 'c2', '--reseller', 'r1').code, 0);
    fails(cli('customer', 'set-key', 'c2', '--api-key', 'customer-one-key'), /belongs to another account/);
  });

  test('resellers and customers share one namespace', () => {
    fails(cli('reseller', 'add', 'c1'), /already a customer's username/);
    fails(cli('customer', 'add', 'r1', '--reseller', 'r1'), /already a reseller's api_user/);
  });

  test('disable and enable, --json', () => {
    const off = cli('customer', 'disable', 'c1', '--json');
    assert.equal(off.code, 0, off.stderr);
    assert.deepEqual(JSON.parse(off.stdout), { username: 'c1', disabled: true });
    const on = cli('customer', 'enable', 'c1', '--json');
    assert.deepEqual(JSON.parse(on.stdout), { username: 'c1', disabled: false });
    fails(cli('customer', 'disable', 'nobody'), /customer nobody not found/);
  });

  test('doctor reports a name stored as both a reseller and a customer', () => {
    const clean = cli('doctor', '--json');
    const names = (JSON.parse(clean.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> }).checks.find((c) => c.name === 'account names');
    assert.equal(names?.ok, true, clean.stdout);
    // Stored before the namespace was shared: written straight into the file.
    const raw = new Database(db);
    raw.prepare("INSERT INTO resellers (api_user, key_salt, key_hash, created_at) VALUES ('c2', x'00', x'00', 0)").run();
    raw.close();
    const r = cli('doctor', '--json');
    assert.equal(r.code, 1);
    const clash = (JSON.parse(r.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> }).checks.find((c) => c.name === 'account names');
    assert.equal(clash?.ok, false);
    assert.match(clash?.detail ?? '', /both a reseller and a customer: c2/);
  });
});

describe('customer set-key and disable from another process, on PostgreSQL', { skip: pgSkip }, () => {
  test("a server's cached customer key stops at once when the CLI disables the customer or replaces its key", async () => {
    const database = await createTestDatabase();
    const env = { DATABASE_URL: database.url };
    const store = await openPostgres(database.url, { retentionMs: 7 * 86_400_000, poolSize: 2 });
    const app = await buildApp({ store, now: () => new Date('2024-03-10T12:00:00Z') });
    try {
      assert.equal(run(['reseller', 'add', 'r1'], env).code, 0);
      assert.equal(run(['customer', 'add', 'c1', '--reseller', 'r1'], env).code, 0);
      assert.equal(run(['customer', 'set-key', 'c1', '--api-key', 'customer-one-key'], env).code, 0);
      const call = async (key: string) => {
        const statsGet = await app.inject({ url: `/api/stats.get.json?api_user=c1&api_key=${key}` });
        const bearer = await app.inject({ url: '/v3/stats?start_date=2024-03-10', headers: { authorization: `Bearer ${key}` } });
        return [statsGet.statusCode, bearer.statusCode];
      };
      assert.deepEqual(await call('customer-one-key'), [200, 200]);
      assert.deepEqual(await call('customer-one-key'), [200, 200], 'now from the credential cache');
      assert.equal(run(['customer', 'disable', 'c1'], env).code, 0);
      assert.deepEqual(await call('customer-one-key'), [401, 401]);
      assert.equal(run(['customer', 'enable', 'c1'], env).code, 0);
      assert.deepEqual(await call('customer-one-key'), [200, 200]);
      assert.equal(run(['customer', 'set-key', 'c1', '--api-key', 'customer-one-new'], env).code, 0);
      assert.deepEqual(await call('customer-one-key'), [401, 401]);
      assert.deepEqual(await call('customer-one-new'), [200, 200]);
    } finally {
      await app.close();
      await store.close();
      await database.drop();
    }
  });
});
