// Every command selects PostgreSQL with --database-url or DATABASE_URL (issue 3).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, pgSkip } from '../pg.js';

const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));

const run = (args: string[], env: Record<string, string> = {}, input?: string) =>
  spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', env: { ...process.env, ...env } });

describe('CLI on PostgreSQL', { skip: pgSkip }, () => {
  test('--database-url and DATABASE_URL select PostgreSQL for every command', async () => {
    const db = await createTestDatabase();
    try {
      const r = run(['reseller', 'add', 'r1', '--database-url', db.url, '--json']);
      assert.equal(r.status, 0, r.stderr);
      const { api_key: key } = JSON.parse(r.stdout) as { api_key: string };
      const c = run(['customer', 'add', 'c1', '--reseller', 'r1', '--json'], { DATABASE_URL: db.url });
      assert.equal(c.status, 0, c.stderr);
      const ts = Math.floor(Date.now() / 1000);
      const imp = run(['events', 'import', '--user', 'c1', '-', '--json'], { DATABASE_URL: db.url }, JSON.stringify({ event: 'processed', timestamp: ts, email: 'a@x' }));
      assert.deepEqual(JSON.parse(imp.stdout), { accepted: 1, duplicates: 0, rejected: 0 });

      const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json'], { env: { ...process.env, DATABASE_URL: db.url }, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const [line] = (await once(child.stdout!, 'data')) as [Buffer];
        const { url, storage } = JSON.parse(line.toString()) as { url: string; storage: string };
        assert.equal(storage, 'PostgreSQL');
        const res = await fetch(`${url}/api/distributor.manage.json?api_user=r1&api_key=${encodeURIComponent(key)}&method=stats&user=c1&aggregate=1`);
        assert.deepEqual(await res.json(), { requests: 1, bounces: 0, clicks: 0, opens: 0, spamreports: 0 });
      } finally {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    } finally {
      await db.drop();
    }
  });

  test('an unreachable PostgreSQL is one clear line on stderr', () => {
    const r = run(['reseller', 'add', 'r1', '--database-url', 'postgres://postgres@127.0.0.1:1/none']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^mailtally: cannot open the database/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
