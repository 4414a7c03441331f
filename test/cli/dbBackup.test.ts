// `mailtally db backup <file>` and `mailtally doctor --backup <file>` through the real binary
// (bin/mailtally.js → dist/), on a SQLite installation that a real server process is writing to
// the whole time. The copy must be one committed state of the database: sound, rollups that
// agree with the deduplication state they were committed with, everything acknowledged before
// the backup began — and a server restored from it, sent every batch again as a webhook sender
// would, must end with exact counts.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type TempDir, tempDir } from '../helpers.js';

const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));
const API_KEY = 'backup-test-key-r1-0123456789';
const AUTH = `Basic ${Buffer.from(`r1:${API_KEY}`).toString('base64')}`;
const BATCH_SIZE = 400;
const ENV = { ...process.env, DATABASE_URL: '', MAILTALLY_LOG_LEVEL: 'warn' };

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: ENV });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking this process: the senders keep sending while it runs. */
async function runAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

interface Server {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

async function serve(db: string): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, '--json'], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = once(child, 'exit');
  const [line] = (await Promise.race([once(child.stdout!, 'data'), exited.then(() => Promise.reject(new Error(`serve exited: ${err}`)))])) as [Buffer];
  return {
    child,
    url: (JSON.parse(line.toString('utf8').split('\n')[0] as string) as { url: string }).url,
    stop: async () => {
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0, `server exit: ${err}`);
    },
  };
}

/**
 * Batch `n`: BATCH_SIZE processed events, one category each; every tenth event repeats one of
 * the batch before (a webhook sender's retry), so answers carry duplicates too.
 */
function batch(n: number, nowSec: number): { body: string; ids: string[] } {
  const events = Array.from({ length: BATCH_SIZE }, (_, i) => {
    const [b, j] = i % 10 === 9 && n > 0 ? [n - 1, i - 1] : [n, i];
    return { event: 'processed', timestamp: nowSec - ((b * BATCH_SIZE + j) % 86_400), email: `r${b}-${j}@example.test`, sg_message_id: `m${b}-${j}`, category: `cat${j % 3}` };
  });
  return { body: JSON.stringify(events), ids: events.map((e) => e.sg_message_id) };
}

async function post(url: string, body: string): Promise<{ accepted: number; duplicates: number }> {
  const res = await fetch(`${url}/webhooks/events?user=c1`, { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/json' }, body });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text) as { accepted: number; duplicates: number };
}

/** What a copy holds, read straight from the file (read-only). */
function snapshot(path: string) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const one = (sql: string): number => Number((db.prepare(sql).get() as { n: number | null }).n ?? 0);
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      journalMode: db.pragma('journal_mode', { simple: true }),
      requests: one('SELECT SUM(requests) AS n FROM daily_stats'),
      categoryRequests: one('SELECT SUM(requests) AS n FROM category_daily_stats'),
      fingerprints: one('SELECT COUNT(*) AS n FROM event_fingerprints'),
    };
  } finally {
    db.close();
  }
}

const digest = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('mailtally db backup and doctor --backup (SQLite)', () => {
  let dir: TempDir;
  let db: string;
  let backup: string;
  const nowSec = Math.floor(Date.now() / 1000);
  const sent = new Set<string>();
  let batches = 0;

  before(() => {
    dir = tempDir();
    db = join(dir.path, 'live', 'mt.sqlite');
    backup = join(dir.path, 'backups', 'mt-backup.sqlite');
    assert.equal(run(['reseller', 'add', 'r1', '--api-key', API_KEY, '--db', db]).code, 0);
    assert.equal(run(['customer', 'add', 'c1', '--reseller', 'r1', '--db', db]).code, 0);
  });
  after(() => dir.cleanup());

  test('taken while a server ingests continuously: one consistent state holding everything acknowledged before it; restored and re-sent, counts are exact', { timeout: 180_000 }, async (t) => {
    const server = await serve(db);
    let acked = 0;
    let ackedBeforeStart = -1;
    let acksDuring = 0;
    let phase: 'before' | 'during' | 'after' = 'before';
    let stop = false;
    const send = async (): Promise<void> => {
      const b = batch(batches++, nowSec);
      for (const id of b.ids) sent.add(id);
      const answer = await post(server.url, b.body);
      acked += answer.accepted;
      if (phase === 'during') acksDuring++;
    };
    try {
      // Enough data that the copy spans many pages (the API copies 100 per step by default).
      for (let i = 0; i < 20; i++) await send();
      const senders = Array.from({ length: 2 }, async () => {
        while (!stop) await send();
      });
      ackedBeforeStart = acked;
      phase = 'during';
      const result = await runAsync(['db', 'backup', backup, '--db', db, '--json']);
      phase = 'after';
      for (let until = batches + 4; batches < until; ) await new Promise((r) => setTimeout(r, 20));
      stop = true;
      await Promise.all(senders);
      assert.equal(result.code, 0, result.stderr);
      const out = JSON.parse(result.stdout) as Record<string, unknown>;
      assert.equal(out.backup, backup);
      assert.equal(out.bytes, statSync(backup).size);
      assert.equal(out.resellers, 1);
      assert.equal(out.customers, 1);
      t.diagnostic(`${ackedBeforeStart} events acknowledged before the backup, ${acksDuring} batches acknowledged while it ran, ${acked} in all; backup ${statSync(backup).size} bytes`);
      assert.ok(acksDuring > 0, 'the server went on committing batches while the backup ran');
    } finally {
      stop = true;
      await server.stop();
    }

    const copy = snapshot(backup);
    assert.equal(copy.integrity, 'ok');
    assert.equal(copy.journalMode, 'delete', 'one self-contained file, no WAL to carry along');
    assert.deepEqual(readdirSync(join(dir.path, 'backups')), ['mt-backup.sqlite'], 'no partial or companion files left');
    // One committed state: each counted event has its fingerprint and its category row.
    assert.equal(copy.requests, copy.fingerprints, 'rollups agree with the deduplication state');
    assert.equal(copy.categoryRequests, copy.requests, 'category rollups agree with the daily ones');
    assert.ok(copy.requests >= ackedBeforeStart, `the copy holds ${copy.requests} events, ${ackedBeforeStart} were acknowledged before it began`);
    assert.ok(copy.requests <= sent.size, `the copy holds ${copy.requests} events, only ${sent.size} distinct were sent`);
    assert.ok(copy.requests < snapshot(db).requests, 'a snapshot: the live database went on growing after it');

    // Restore as the README says: server stopped, the database's -wal/-shm removed, the backup
    // copied in its place, server started. Then the sender re-sends every batch.
    for (const companion of [`${db}-wal`, `${db}-shm`]) rmSync(companion, { force: true });
    copyFileSync(backup, db);
    const again = await serve(db);
    try {
      for (let n = 0; n < batches; n++) await post(again.url, batch(n, nowSec).body);
    } finally {
      await again.stop();
    }
    const final = snapshot(db);
    assert.equal(final.requests, sent.size, 'restored and re-sent: every event counted exactly once');
    assert.equal(final.categoryRequests, sent.size);
  });

  test('doctor --backup accepts the copy, reports what it holds, and changes nothing', () => {
    const before = { sha: digest(backup), mtime: statSync(backup).mtimeMs, files: readdirSync(join(dir.path, 'backups')) };
    const r = run(['doctor', '--backup', backup, '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, '');
    const report = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string }>; backup: Record<string, unknown> };
    assert.equal(report.ok, true);
    assert.deepEqual(report.checks.map((c) => [c.name, c.ok]), [
      ['node', true],
      ['backup file', true],
      ['integrity', true],
      ['migrations', true],
      ['contents', true],
    ]);
    assert.equal(report.backup.resellers, 1);
    assert.equal(report.backup.customers, 1);
    assert.match(String(report.backup.newest_day), /^\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual({ sha: digest(backup), mtime: statSync(backup).mtimeMs, files: readdirSync(join(dir.path, 'backups')) }, before, 'the backup file is untouched');

    const human = run(['doctor', '--backup', backup]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^✓ integrity: integrity_check: ok$/m);
    assert.match(human.stdout, /^✓ contents: resellers: 1, customers: 1, /m);
  });

  test('doctor --backup refuses what is not a sound mailtally backup: exit 1, ✗ with the reason', () => {
    const junk = join(dir.path, 'junk.sqlite');
    writeFileSync(junk, 'not a database, just text '.repeat(200));
    const damaged = join(dir.path, 'damaged.sqlite');
    copyFileSync(backup, damaged);
    const bytes = readFileSync(damaged);
    // Scribble over the middle of the file: pages of a b-tree, past the header.
    bytes.fill(0x5a, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 8192);
    writeFileSync(damaged, bytes);
    const foreign = join(dir.path, 'foreign.sqlite');
    new Database(foreign).exec('CREATE TABLE t (x)').close();

    for (const [file, name, reason] of [
      [join(dir.path, 'missing.sqlite'), 'backup file', /does not exist/],
      [junk, 'backup file', /not a SQLite database/],
      [damaged, 'integrity', /integrity_check: /],
      [foreign, 'migrations', /not a mailtally database/],
    ] as const) {
      const r = run(['doctor', '--backup', file, '--json']);
      assert.equal(r.code, 1, `${file}: ${r.stdout}`);
      const report = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> };
      assert.equal(report.ok, false);
      const failed = report.checks.find((c) => !c.ok);
      assert.equal(failed?.name, name, r.stdout);
      assert.match(failed.detail, reason);
    }
  });

  test('an existing file is not replaced without --force; with it, it is', () => {
    const sha = digest(backup);
    const refused = run(['db', 'backup', backup, '--db', db]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already exists; pass --force to replace it/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(digest(backup), sha, 'the old backup is intact');

    const replaced = run(['db', 'backup', backup, '--db', db, '--force', '--json']);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.notEqual(digest(backup), sha, 'replaced by a copy of the live database as it is now');
    assert.equal(snapshot(backup).requests, snapshot(db).requests);
    assert.deepEqual(readdirSync(join(dir.path, 'backups')), ['mt-backup.sqlite']);

    assert.match(run(['db', 'backup', db, '--db', db, '--force']).stderr, /must not be the database itself/);
    assert.match(run(['db', 'backup', join(dir.path, 'x.sqlite'), '--db', join(dir.path, 'nowhere.sqlite')]).stderr, /no SQLite database at/);
    assert.equal(existsSync(join(dir.path, 'nowhere.sqlite')), false, 'a mistyped --db is not created');
  });

  test('on PostgreSQL it points to pg_dump: exit 1, no password echoed, nothing written', () => {
    const target = join(dir.path, 'pg.dump');
    const r = run(['db', 'backup', target, '--database-url', 'postgres://mailtally:s3cret-pw@127.0.0.1:1/mailtally']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^mailtally: db backup copies a SQLite database; for PostgreSQL use pg_dump: pg_dump -Fc/);
    assert.doesNotMatch(r.stderr, /s3cret-pw/);
    assert.equal(existsSync(target), false);
  });
});
