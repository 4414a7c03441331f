// The real binary (bin/mailtally.js → dist/), as a user runs it: JSON output, errors on stderr
// without stack traces, import from a file and from stdin, and serve answering over HTTP.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { at, tempDir, type TempDir } from '../helpers.js';

const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertCleanFailure(r: { code: number | null; stdout: string; stderr: string }, message: RegExp): void {
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('mailtally CLI', () => {
  let dir: TempDir;
  let db: string;
  let key: string;
  const today = at(new Date().toISOString().slice(0, 10) + 'T00:00:00Z') + 3600;

  before(() => {
    dir = tempDir();
    db = join(dir.path, 'nested', 'folder', 'mt.sqlite');
  });
  after(() => dir.cleanup());

  test('reseller add generates a strong key, prints it once, stores only its hash', () => {
    const r = run(['reseller', 'add', 'r1', '--db', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { api_user: string; api_key: string };
    assert.equal(out.api_user, 'r1');
    assert.match(out.api_key, /^[A-Za-z0-9_-]{43}$/);
    key = out.api_key;
    assert.equal(readFileSync(db).includes(Buffer.from(key)), false, 'the key is not stored in clear');
  });

  test('reseller add with --api-key, human output', () => {
    const r = run(['reseller', 'add', 'r2', '--api-key', 'r2-chosen-key', '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /api_key: r2-chosen-key/);
  });

  test('clear errors, non-zero exit, no stack trace', () => {
    assertCleanFailure(run(['reseller', 'add', 'r1', '--db', db, '--json']), /reseller r1 already exists/);
    assertCleanFailure(run(['reseller', 'add', 'a:b', '--db', db]), /must not contain ':'/);
    assertCleanFailure(run(['reseller', 'add', 'r3', '--api-key', 'short', '--db', db]), /--api-key must be/);
    assertCleanFailure(run(['customer', 'add', 'x', '--reseller', 'nobody', '--db', db]), /reseller nobody not found/);
    assertCleanFailure(run(['customer', 'add', 'x', '--reseller', 'r1', '--timezone', 'Mars/Olympus', '--db', db]), /unknown time zone/);
    assertCleanFailure(run(['customer', 'add', 'x', '--db', db]), /--reseller/);
    assertCleanFailure(run(['events', 'import', '--user', 'nobody', '-', '--db', db], '[]'), /customer nobody not found/);
    assertCleanFailure(run(['frobnicate']), /unknown command/);
  });

  test('customer add --json', () => {
    const r = run(['customer', 'add', 'c1', '--reseller', 'r1', '--timezone', 'Asia/Kolkata', '--db', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { username: 'c1', reseller: 'r1', timezone: 'Asia/Kolkata' });
    const d = run(['customer', 'add', 'c2', '--reseller', 'r1', '--db', db, '--json']);
    assert.deepEqual(JSON.parse(d.stdout), { username: 'c2', reseller: 'r1', timezone: 'UTC' });
    assertCleanFailure(run(['customer', 'add', 'c1', '--reseller', 'r2', '--db', db]), /customer c1 already exists/);
  });

  test('events import: a JSON array file, then NDJSON on stdin; re-import counts duplicates', () => {
    const events = [
      { event: 'processed', timestamp: today, email: 'a@x', sg_message_id: 'm1', category: 'news' },
      { event: 'open', timestamp: today + 5, email: 'a@x', sg_message_id: 'm1', category: 'news' },
      { event: 'nonsense', timestamp: today },
    ];
    const file = join(dir.path, 'events.json');
    writeFileSync(file, JSON.stringify(events, null, 2));
    const r = run(['events', 'import', '--user', 'c1', file, '--db', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { accepted: 2, duplicates: 0, rejected: 1 });

    const ndjson = `${JSON.stringify(events[0])}\n\n${JSON.stringify({ ...events[1], timestamp: today + 6 })}\n{not json\n`;
    const again = run(['events', 'import', '--user', 'c1', '-', '--db', db, '--json'], ndjson);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), { accepted: 1, duplicates: 1, rejected: 1 });

    const human = run(['events', 'import', '--user', 'c1', file, '--db', db]);
    assert.match(human.stdout, /accepted 0, duplicates 2, rejected 1/);
    assert.match(human.stderr, /rejected event 2: event: must be one of/);
  });

  test('events import of a truncated JSON array applies what came before and fails clearly', () => {
    const file = join(dir.path, 'broken.json');
    writeFileSync(file, `[${JSON.stringify({ event: 'delivered', timestamp: today, email: 'b@x', sg_message_id: 'm2' })}, {"event": "deliv`);
    assertCleanFailure(run(['events', 'import', '--user', 'c1', file, '--db', db]), /input is not valid JSON/);
    const again = run(['events', 'import', '--user', 'c1', '-', '--db', db, '--json'], JSON.stringify([{ event: 'delivered', timestamp: today, email: 'b@x', sg_message_id: 'm2' }]));
    assert.deepEqual(JSON.parse(again.stdout), { accepted: 0, duplicates: 1, rejected: 0 });
    assertCleanFailure(run(['events', 'import', '--user', 'c1', join(dir.path, 'missing.json'), '--db', db]), /cannot read/);
  });

  test('events rejected lists the quarantine; --reapply applies what is now valid and keeps the rest', () => {
    const list = run(['events', 'rejected', '--user', 'c1', '--db', db, '--json']);
    assert.equal(list.code, 0, list.stderr);
    const { rejected } = JSON.parse(list.stdout) as { rejected: Array<{ error: string; payload: string }> };
    const unknownType = 'event: must be one of processed, dropped, delivered, deferred, bounce, open, click, spamreport, unsubscribe, group_unsubscribe, group_resubscribe, account_status_change';
    // From the imports above: the file, stdin (an unparseable line); the file imported again
    // does not quarantine the same event twice.
    assert.deepEqual(
      rejected.map((r) => r.error),
      [unknownType, 'event is not valid JSON'],
    );
    assert.equal(rejected[1]?.payload, '{not json');
    assert.match(run(['events', 'rejected', '--user', 'c1', '--db', db]).stdout, /event 2: event: must be one of/);
    // Nothing has changed about those events, so all stay in quarantine.
    const r = run(['events', 'rejected', '--user', 'c1', '--reapply', '--db', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { reapplied: 0, duplicates: 0, still_rejected: 2 });
    assertCleanFailure(run(['events', 'rejected', '--user', 'nobody', '--db', db]), /customer nobody not found/);
  });

  test('customer set-webhook-key takes SendGrid\'s base64 key or PEM, refuses anything else, and --clear', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const b64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const set = run(['customer', 'set-webhook-key', 'c2', b64, '--db', db, '--json']);
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(JSON.parse(set.stdout), { username: 'c2', signed: true });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.equal(run(['customer', 'set-webhook-key', 'c2', '-', '--db', db], pem).code, 0);
    assertCleanFailure(run(['customer', 'set-webhook-key', 'c2', 'bm90IGEga2V5', '--db', db]), /not a public key/);
    assertCleanFailure(run(['customer', 'set-webhook-key', 'nobody', b64, '--db', db]), /customer nobody not found/);
    assertCleanFailure(run(['customer', 'set-webhook-key', 'c2', '--db', db]), /either a key or --clear/);
    assert.deepEqual(JSON.parse(run(['customer', 'set-webhook-key', 'c2', '--clear', '--db', db, '--json']).stdout), { username: 'c2', signed: false });
  });

  test('reseller rotate-key prints a new key once; the old one is refused', () => {
    const r = run(['reseller', 'rotate-key', 'r2', '--db', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const { api_key: fresh } = JSON.parse(r.stdout) as { api_key: string };
    assert.match(fresh, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(fresh, 'r2-chosen-key');
    assert.equal(readFileSync(db).includes(Buffer.from(fresh)), false);
    assertCleanFailure(run(['reseller', 'rotate-key', 'nobody', '--db', db]), /reseller nobody not found/);
  });

  test('serve: one ready line with the URL, /healthz, stats over HTTP, SIGTERM exits 0', async () => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: '' },
    });
    try {
      const [line] = (await once(child.stdout!, 'data')) as [Buffer];
      const { url } = JSON.parse(line.toString()) as { url: string };
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await fetch(`${url}/healthz`)).status, 200);

      const res = await fetch(`${url}/api/distributor.manage.json`, {
        method: 'POST',
        body: new URLSearchParams({ api_user: 'r1', api_key: key, method: 'stats', user: 'c1', aggregate: '1' }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { requests: 1, bounces: 0, clicks: 0, opens: 2, spamreports: 0 });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});
