// Reads from memory stay exact across processes (issue 15): two real servers on one SQLite file
// and the CLI. Server A answers a question (its series now held in memory); server B accepts a
// webhook batch (200), then the CLI imports events: A's very next answer counts each of them.
// Each question is asked until its rendered answer is held as well, so that is proven exact too.
import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type TempDir, tempDir } from '../helpers.js';
import { LIVE_AUTH, type Spawned, spawnServe } from '../liveServer.js';

const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));
const DAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const TS = Math.floor(Date.parse(`${DAY}T12:00:00Z`) / 1000);
const event = (id: string) => ({ event: 'processed', timestamp: TS, email: `${id}@x.test`, sg_message_id: id, category: 'promo' });

describe('read model across processes', () => {
  let dir: TempDir;
  let db: string;
  const env = { ...process.env, DATABASE_URL: '', MAILTALLY_LOG_LEVEL: 'warn' };
  const children = new Set<ChildProcess>();
  let a: Spawned;
  let b: Spawned;
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--db', db], { encoding: 'utf8', env });

  before(async () => {
    dir = tempDir();
    db = join(dir.path, 'shared.sqlite');
    assert.equal(cli('reseller', 'add', 'r1', '--api-key', 'key-r1-secret').status, 0);
    assert.equal(cli('customer', 'add', 'c1', '--reseller', 'r1').status, 0);
    [a, b] = await Promise.all([spawnServe(['--db', db], env, children), spawnServe(['--db', db], env, children)]);
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all([a?.exited, b?.exited]);
    dir.cleanup();
  });

  const counts = async (server: Spawned): Promise<{ daily: number; category: number; aggregate: number }> => {
    const base = `${server.url}/api/distributor.manage.json?api_user=r1&api_key=key-r1-secret&method=stats&user=c1`;
    const daily = (await (await fetch(`${base}&start_date=${DAY}&end_date=${DAY}`)).json()) as Array<{ requests: number }>;
    const category = (await (await fetch(`${base}&start_date=${DAY}&end_date=${DAY}&category=promo`)).json()) as Array<{ requests: number }>;
    const aggregate = (await (await fetch(`${base}&aggregate=1`)).json()) as { requests: number };
    return { daily: daily[0]?.requests ?? -1, category: category[0]?.requests ?? 0, aggregate: aggregate.requests };
  };

  test("a batch accepted by another server, and one imported by the CLI, are in this server's next answer", async () => {
    assert.deepEqual(await counts(a), { daily: 0, category: 0, aggregate: 0 });
    assert.deepEqual(await counts(a), { daily: 0, category: 0, aggregate: 0 }, 'now from memory');
    // Asked again: the rendered answers are now held too (answerCache.ts keeps a repeated question).
    assert.deepEqual(await counts(a), { daily: 0, category: 0, aggregate: 0 }, 'rendered answers from memory');

    const res = await fetch(`${b.url}/webhooks/events?user=c1`, {
      method: 'POST',
      headers: { authorization: LIVE_AUTH, 'content-type': 'application/json' },
      body: JSON.stringify([event('m1'), event('m2')]),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await counts(a), { daily: 2, category: 2, aggregate: 2 });

    const file = join(dir.path, 'events.ndjson');
    writeFileSync(file, `${JSON.stringify(event('m3'))}\n`);
    const imported = cli('events', 'import', '--user', 'c1', file, '--json');
    assert.equal(imported.status, 0, imported.stderr);
    assert.deepEqual(await counts(a), { daily: 3, category: 3, aggregate: 3 });
    assert.deepEqual(await counts(a), { daily: 3, category: 3, aggregate: 3 });
    assert.deepEqual(await counts(b), { daily: 3, category: 3, aggregate: 3 });
    assert.deepEqual(await counts(b), { daily: 3, category: 3, aggregate: 3 });
  });
});
