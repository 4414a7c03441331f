// `serve --workers 2`: two processes on one port and one SQLite file answer exactly (a batch
// accepted through one connection is counted in every answer after it, whichever worker gives
// it), both workers take requests, and SIGTERM stops the whole group with exit code 0.
import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type TempDir, tempDir } from '../helpers.js';
import { LIVE_AUTH, type Spawned, spawnServe } from '../liveServer.js';

const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));
const DAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const TS = Math.floor(Date.parse(`${DAY}T12:00:00Z`) / 1000);

/** One request on a connection of its own, so the workers share them out. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('serve --workers', () => {
  let dir: TempDir;
  let db: string;
  const env = { ...process.env, DATABASE_URL: '', MAILTALLY_LOG_LEVEL: 'info' };
  const children = new Set<ChildProcess>();
  let server: Spawned;
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--db', db], { encoding: 'utf8', env });

  before(async () => {
    dir = tempDir();
    db = join(dir.path, 'workers.sqlite');
    assert.equal(cli('reseller', 'add', 'r1', '--api-key', 'key-r1-secret').status, 0);
    assert.equal(cli('customer', 'add', 'c1', '--reseller', 'r1').status, 0);
    server = await spawnServe(['--db', db, '--workers', '2'], env, children);
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    dir.cleanup();
  });

  test('refuses a bad count', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--db', db, '--workers', '0'], { encoding: 'utf8', env });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--workers must be an integer from 1 to 64, or auto/);
  });

  test('two workers answer exactly, and SIGTERM stops both', async () => {
    const pid = server.child.pid as number;
    const workers = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    assert.equal(workers.length, 2);
    const url = `${server.url}/api/distributor.manage.json?api_user=r1&api_key=key-r1-secret&method=stats&user=c1&start_date=${DAY}&end_date=${DAY}`;
    for (let round = 1; round <= 3; round++) {
      const posted = await fetch(`${server.url}/webhooks/events?user=c1`, {
        method: 'POST',
        headers: { authorization: LIVE_AUTH, 'content-type': 'application/json' },
        body: JSON.stringify([{ event: 'processed', timestamp: TS, email: 'a@x.test', sg_message_id: `m${round}` }]),
      });
      assert.equal(posted.status, 200);
      const answers = await Promise.all(Array.from({ length: 12 }, () => get(url)));
      for (const a of answers) assert.deepEqual([a.status, (JSON.parse(a.body) as Array<{ requests: number }>)[0]?.requests], [200, round]);
    }
    // Both workers logged requests (each log line carries its pid).
    const answering = new Set([...server.stderr().matchAll(/"pid":(\d+)[^\n]*"request completed"/g)].map((m) => m[1]));
    assert.deepEqual([...answering].sort(), [...workers].sort());

    server.child.kill('SIGTERM');
    assert.deepEqual(await server.exited, { code: 0, signal: null });
    for (const w of workers) assert.throws(() => readFileSync(`/proc/${w}/stat`), 'worker gone');
  });
});
