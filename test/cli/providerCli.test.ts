// The CLI side of issue 12: `customer set-webhook-key --provider` and `events import --provider`,
// run as a real process (bin/mailtally.js on dist/) against a real SQLite file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { openSqlite } from '../../src/store/sqlite.js';
import { RETENTION_MS, type TempDir, tempDir } from '../helpers.js';
import { mailgun, mailjetSentText, postmark, sparkpost } from '../fixtures/providers.js';

const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertCleanFailure(r: { code: number | null; stderr: string }, message: RegExp): void {
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('provider CLI', () => {
  let dir: TempDir;
  let db: string;
  before(() => {
    dir = tempDir();
    db = join(dir.path, 'mt.sqlite');
    assert.equal(run(['reseller', 'add', 'r1', '--api-key', 'key-r1-secret', '--db', db]).code, 0);
    assert.equal(run(['customer', 'add', 'c1', '--reseller', 'r1', '--db', db]).code, 0);
  });
  after(() => dir.cleanup());

  async function keyOf(provider: string): Promise<string | null> {
    const store = openSqlite(db, { retentionMs: RETENTION_MS });
    try {
      const c = await store.findCustomer('c1');
      return store.providerWebhookKey(c!.id, provider);
    } finally {
      await store.close();
    }
  }

  test('set-webhook-key --provider mailgun stores the key per provider; --clear removes it', async () => {
    const r = run(['customer', 'set-webhook-key', 'c1', 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0', '--provider', 'mailgun', '--db', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { username: 'c1', provider: 'mailgun', signed: true });
    assert.equal(await keyOf('mailgun'), 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0');
    assert.equal(await keyOf('postal'), null);
    const cleared = run(['customer', 'set-webhook-key', 'c1', '--clear', '--provider', 'mailgun', '--db', db, '--json']);
    assert.deepEqual(JSON.parse(cleared.stdout), { username: 'c1', provider: 'mailgun', signed: false });
    assert.equal(await keyOf('mailgun'), null);
  });

  test('set-webhook-key --provider postal takes a PEM or Postal\'s bare base64 key and refuses anything else', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const bare = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    assert.equal(run(['customer', 'set-webhook-key', 'c1', '-', '--provider', 'postal', '--db', db], pem).code, 0);
    assert.equal(run(['customer', 'set-webhook-key', 'c1', bare, '--provider', 'postal', '--db', db]).code, 0);
    assert.equal(await keyOf('postal'), bare);
    assertCleanFailure(run(['customer', 'set-webhook-key', 'c1', 'not-a-key', '--provider', 'postal', '--db', db]), /Postal key must be its public key/);
    assert.equal(run(['customer', 'set-webhook-key', 'c1', '--clear', '--provider', 'postal', '--db', db]).code, 0);
  });

  test('set-webhook-key refuses unknown and non-signing providers, and unknown customers', () => {
    assertCleanFailure(run(['customer', 'set-webhook-key', 'c1', 'k', '--provider', 'nope', '--db', db]), /unknown provider nope/);
    assertCleanFailure(run(['customer', 'set-webhook-key', 'c1', 'k', '--provider', 'postmark', '--db', db]), /postmark does not sign its webhooks/);
    assertCleanFailure(run(['customer', 'set-webhook-key', 'ghost', 'whsec_abc', '--provider', 'resend', '--db', db]), /customer ghost not found/);
  });

  test('events import --provider sparkpost reads a webhook body; importing it again counts only duplicates', () => {
    const file = join(dir.path, 'sparkpost.json');
    writeFileSync(file, JSON.stringify([...sparkpost.delivery, ...sparkpost.openPair]));
    const first = run(['events', 'import', '--user', 'c1', '--provider', 'sparkpost', file, '--db', db, '--json']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), { accepted: 3, duplicates: 0, rejected: 0 });
    const again = run(['events', 'import', '--user', 'c1', '--provider', 'sparkpost', file, '--db', db, '--json']);
    assert.deepEqual(JSON.parse(again.stdout), { accepted: 0, duplicates: 3, rejected: 0 });
  });

  test('events import --provider mailgun takes an array of bodies; --provider postmark NDJSON, quarantining a line that is not a body', () => {
    const mg = join(dir.path, 'mailgun.json');
    writeFileSync(mg, JSON.stringify([mailgun.delivered, mailgun.opened]));
    assert.deepEqual(JSON.parse(run(['events', 'import', '--user', 'c1', '--provider', 'mailgun', mg, '--db', db, '--json']).stdout), { accepted: 3, duplicates: 0, rejected: 0 });
    const pm = join(dir.path, 'postmark.ndjson');
    writeFileSync(pm, `${JSON.stringify(postmark.delivery)}\n{"not":"postmark"}\n${JSON.stringify(postmark.open)}\n`);
    const r = run(['events', 'import', '--user', 'c1', '--provider', 'postmark', pm, '--db', db, '--json']);
    assert.deepEqual(JSON.parse(r.stdout), { accepted: 3, duplicates: 0, rejected: 1 });
  });

  test('events import --provider mailjet keeps 17-digit MessageIDs; an unknown provider is refused', () => {
    const mj = join(dir.path, 'mailjet.json');
    writeFileSync(mj, mailjetSentText);
    assert.deepEqual(JSON.parse(run(['events', 'import', '--user', 'c1', '--provider', 'mailjet', mj, '--db', db, '--json']).stdout), { accepted: 2, duplicates: 0, rejected: 0 });
    assertCleanFailure(run(['events', 'import', '--user', 'c1', '--provider', 'nope', mj, '--db', db]), /unknown provider nope/);
  });
});
