// `mailtally doctor` through the real binary (bin/mailtally.js → dist/, built by `npm test`):
// ✓/✗ lines or one JSON object, exit 0 only when every check passes, and nothing changed —
// no database created, no migration applied.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { latestMigration, migrationFiles } from '../../src/store/migrations.js';
import { tempDir, type TempDir } from '../helpers.js';
import { createTestDatabase, pgSkip } from '../pg.js';

const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));

interface Report {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
}

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `doctor --json`: exactly one JSON object on stdout, nothing on stderr. */
function doctor(args: string[], env: Record<string, string> = {}): { code: number | null; report: Report } {
  const r = run(['doctor', ...args, '--json'], env);
  assert.equal(r.stderr, '', 'nothing on stderr');
  assert.equal(r.stdout.trimEnd().split('\n').length, 1, 'one line of JSON');
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

const check = (report: Report, name: string) => {
  const c = report.checks.find((x) => x.name === name);
  assert.ok(c, `check ${name} is reported`);
  return c;
};

describe('mailtally doctor', () => {
  let dir: TempDir;
  let db: string;

  before(() => {
    dir = tempDir();
    db = join(dir.path, 'data', 'mt.sqlite');
    // Any command creates and migrates the database; doctor itself never does.
    assert.equal(run(['reseller', 'add', 'r1', '--db', db]).code, 0);
  });
  after(() => dir.cleanup());

  test('a healthy SQLite installation: every check passes, exit 0', () => {
    const { code, report } = doctor(['--db', db]);
    assert.equal(code, 0, JSON.stringify(report));
    assert.equal(report.ok, true);
    assert.deepEqual(report.checks.map((c) => [c.name, c.ok]), [
      ['node', true],
      ['configuration', true],
      ['data folder', true],
      ['storage', true],
      ['migrations', true],
      ['account names', true],
    ]);
    assert.match(check(report, 'migrations').detail, new RegExp(`migration ${latestMigration('sqlite')}`));
  });

  test('human output: one ✓ line per check', () => {
    const r = run(['doctor', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 6);
    for (const line of lines) assert.match(line, /^✓ [a-z ]+: \S/);
  });

  test('a database that does not exist: ✗ storage, exit 1, and it is not created', () => {
    const missing = join(dir.path, 'typo', 'mt.sqlite');
    const { code, report } = doctor(['--db', missing]);
    assert.equal(code, 1);
    assert.equal(report.ok, false);
    assert.equal(check(report, 'data folder').ok, true, 'the folder could be created');
    assert.match(check(report, 'storage').detail, /does not exist yet/);
    assert.equal(check(report, 'migrations').ok, false);
    assert.equal(existsSync(join(dir.path, 'typo')), false, 'doctor created nothing');

    const human = run(['doctor', '--db', missing]);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /^✗ storage: /m);
    assert.equal(human.stderr, '', 'a failed check is a result, not an error');
  });

  test('a schema behind the migration files: ✗ migrations, and doctor does not apply them', () => {
    const behind = join(dir.path, 'behind.sqlite');
    assert.equal(run(['reseller', 'add', 'r1', '--db', behind]).code, 0);
    const latest = latestMigration('sqlite');
    // Migration numbers may have gaps (branches take numbers in advance): the one before the latest.
    const previous = Math.max(...migrationFiles('sqlite').map((m) => m.version).filter((v) => v < latest));
    const raw = new Database(behind);
    raw.prepare('DELETE FROM schema_migrations WHERE version = ?').run(latest);
    raw.close();

    const { code, report } = doctor(['--db', behind]);
    assert.equal(code, 1);
    assert.equal(check(report, 'storage').ok, true);
    const migrations = check(report, 'migrations');
    assert.equal(migrations.ok, false);
    assert.match(migrations.detail, new RegExp(`at migration ${previous}, this mailtally needs ${latest}`));

    const reopened = new Database(behind, { readonly: true });
    assert.deepEqual(reopened.prepare('SELECT MAX(version) AS v FROM schema_migrations').get(), { v: previous }, 'nothing was migrated');
    reopened.close();
  });

  test('a data folder that is a file: ✗ data folder', () => {
    const file = join(dir.path, 'plain-file');
    writeFileSync(file, 'x');
    const { code, report } = doctor(['--db', join(file, 'mt.sqlite')]);
    assert.equal(code, 1);
    assert.match(check(report, 'data folder').detail, /is not a folder/);
  });

  test('an invalid environment: ✗ configuration, storage not checked', () => {
    const { code, report } = doctor(['--db', db], { MAILTALLY_PG_POOL_SIZE: 'lots' });
    assert.equal(code, 1);
    assert.deepEqual(check(report, 'configuration'), { name: 'configuration', ok: false, detail: 'MAILTALLY_PG_POOL_SIZE must be an integer from 1 to 200' });
    assert.equal(check(report, 'storage').ok, false);
  });

  test('MAILTALLY_TRUST_PROXY=true: ✗ configuration, telling to list the proxies; serve refuses to start', () => {
    const { code, report } = doctor(['--db', db], { MAILTALLY_TRUST_PROXY: 'true' });
    assert.equal(code, 1);
    assert.match(check(report, 'configuration').detail, /list your proxies instead, e\.g\. MAILTALLY_TRUST_PROXY=127\.0\.0\.1,10\.0\.0\.0\/8/);
    const serve = run(['serve', '--port', '0', '--db', db], { MAILTALLY_TRUST_PROXY: 'true' });
    assert.equal(serve.code, 1);
    assert.match(serve.stderr, /^mailtally: MAILTALLY_TRUST_PROXY=true would let any client choose its address/);
    assert.equal(doctor(['--db', db], { MAILTALLY_TRUST_PROXY: '127.0.0.1,10.0.0.0/8' }).code, 0);
  });

  test('an unreachable PostgreSQL: ✗ storage, exit 1, the password never printed', () => {
    const started = Date.now();
    const { code, report } = doctor(['--database-url', 'postgres://postgres:sekret@127.0.0.1:1/x']);
    assert.equal(code, 1);
    assert.equal(report.ok, false);
    assert.equal(check(report, 'configuration').ok, true);
    assert.equal(report.checks.some((c) => c.name === 'data folder'), false, 'no SQLite folder to check');
    assert.match(check(report, 'storage').detail, /^cannot reach PostgreSQL postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/x/);
    assert.ok(!JSON.stringify(report).includes('sekret'));
    assert.ok(Date.now() - started < 15_000);
  });

  test('a URL that is not postgres://: ✗ configuration', () => {
    const { code, report } = doctor(['--database-url', 'mysql://x@y/z']);
    assert.equal(code, 1);
    assert.match(check(report, 'configuration').detail, /must be a postgres:\/\/ URL/);
  });
});

describe('mailtally doctor on PostgreSQL', { skip: pgSkip }, () => {
  test('an empty database has no migrations; after any command, every check passes', async () => {
    const database = await createTestDatabase();
    try {
      const fresh = doctor(['--database-url', database.url]);
      assert.equal(fresh.code, 1);
      assert.equal(check(fresh.report, 'storage').ok, true);
      assert.match(check(fresh.report, 'migrations').detail, /at migration 0, this mailtally needs/);
      // Doctor left the database as it was: still no migrations table.
      assert.match(check(doctor(['--database-url', database.url]).report, 'migrations').detail, /at migration 0/);

      assert.equal(run(['reseller', 'add', 'r1'], { DATABASE_URL: database.url }).code, 0);
      const ready = doctor([], { DATABASE_URL: database.url });
      assert.equal(ready.code, 0, JSON.stringify(ready.report));
      assert.deepEqual(ready.report.checks.map((c) => c.name), ['node', 'configuration', 'storage', 'migrations', 'account names']);
    } finally {
      await database.drop();
    }
  });
});
