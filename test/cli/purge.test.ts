// Personal data really goes (SPEC section 9): after a list deletion and after `mailtally
// customer purge`, the raw bytes of the SQLite file and of its WAL no longer hold the address
// anywhere (no copy in free pages or WAL frames), the customer's rows are gone from every table
// and its username is free. The CLI is the real binary (npm run build).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { validateEvent } from '../../src/domain/events.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { RETENTION_MS, at, tempDir } from '../helpers.js';

const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
const NOW = new Date('2024-03-10T12:00:00Z');

/** Whether the database file or its WAL holds these bytes anywhere. */
function onDisk(path: string, text: string): string[] {
  const needle = Buffer.from(text, 'utf8');
  return [path, `${path}-wal`].filter((p) => existsSync(p) && readFileSync(p).includes(needle));
}

const ev = (raw: Record<string, unknown>) => {
  const v = validateEvent(raw, 'UTC');
  if (!v.ok) throw new Error(v.error);
  return v.event;
};

describe('erasing addresses from the SQLite files', () => {
  const dir = tempDir();
  const db = join(dir.path, 'purge.sqlite');
  after(() => dir.cleanup());

  test('a list deletion and a purge leave no copy of the address in the file or the WAL', async () => {
    assert.equal(run(['reseller', 'add', 'r1', '--api-key', 'key-r1-secret', '--db', db]).status, 0);
    assert.equal(run(['customer', 'add', 'c1', '--reseller', 'r1', '--db', db]).status, 0);
    const store = openSqlite(db, { retentionMs: RETENTION_MS });
    const c1 = (await store.findCustomer('c1'))!;
    // Many addresses, so the list spans several pages (deletions then free whole pages).
    const filler = Array.from({ length: 3000 }, (_, i) => ev({ event: 'bounce', email: `filler-${i}@example.org`, reason: 'x'.repeat(60), timestamp: at('2024-03-01T00:00:00Z') + i }));
    await store.applyBatch(
      c1,
      [ev({ event: 'bounce', email: 'listed-only@secret.example', timestamp: at('2024-03-09T00:00:00Z') }), ...filler, ev({ event: 'spamreport', email: 'purged@secret.example', timestamp: at('2024-03-09T00:00:00Z') })],
      [{ index: 0, error: 'bad', payload: '{"email":"purged@secret.example","timestamp":"x"}' }],
      NOW,
    );
    assert.deepEqual(onDisk(db, 'listed-only@secret.example').length > 0, true, 'the test must see the address before');

    assert.equal(await store.deleteSuppressions(c1.id, 'bounces', ['listed-only@secret.example']), 1);
    assert.deepEqual(onDisk(db, 'listed-only@secret.example'), []);
    await store.close();

    const refused = run(['customer', 'purge', 'c1', '--db', db]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /--yes/);
    assert.ok(onDisk(db, 'purged@secret.example').length > 0);

    const purged = run(['customer', 'purge', 'c1', '--yes', '--db', db, '--json']);
    assert.equal(purged.status, 0, purged.stderr);
    const answer = JSON.parse(purged.stdout) as { purged: boolean; rows: Record<string, number> };
    assert.equal(answer.rows.suppressions, 3001);
    assert.equal(answer.rows.quarantine, 1);
    assert.deepEqual(onDisk(db, 'purged@secret.example'), []);
    assert.deepEqual(onDisk(db, 'filler-2999@example.org'), []);

    // No row of any table names the customer id any more.
    const raw = new Database(db, { readonly: true });
    try {
      const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      for (const t of tables) {
        const cols = raw.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(t) as string[];
        if (cols.includes('customer_id')) assert.equal(raw.prepare(`SELECT COUNT(*) FROM "${t}" WHERE customer_id = ?`).pluck().get(c1.id), 0, t);
      }
    } finally {
      raw.close();
    }
    assert.match(run(['customer', 'purge', 'c1', '--yes', '--db', db]).stderr, /customer c1 not found/);
    assert.equal(run(['customer', 'add', 'c1', '--reseller', 'r1', '--db', db]).status, 0, 'the username is free again');
  });

  test('a customer deleted over HTTP (distributor.delete) can still be purged, its profile with it', async () => {
    const store = openSqlite(db, { retentionMs: RETENTION_MS });
    const r1 = (await store.findReseller('r1'))!;
    const gone = await store.createCustomer({ username: 'gone', resellerId: r1.id, timezone: 'UTC', key: null, profile: { email: 'owner@gone.example' } });
    assert.equal(await store.deleteCustomer(gone.id, NOW), true);
    assert.equal(await store.findCustomer('gone'), null, 'deleted: invisible to the API');
    await store.close();

    const purged = run(['customer', 'purge', 'gone', '--yes', '--db', db, '--json']);
    assert.equal(purged.status, 0, purged.stderr);
    assert.equal((JSON.parse(purged.stdout) as { rows: Record<string, number> }).rows.customer_profiles, 1);
    assert.deepEqual(onDisk(db, 'owner@gone.example'), []);
    assert.equal(run(['customer', 'add', 'gone', '--reseller', 'r1', '--db', db]).status, 0, 'the reserved username is free after purge');
  });
});
