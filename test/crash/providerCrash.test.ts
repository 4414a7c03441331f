// Durability through a provider route (issue 12): the real binary on SQLite receives SparkPost
// batches from concurrent senders and is SIGKILLed at a seeded moment. After the restart,
// re-sending every batch that was acknowledged applies nothing (it was all durable), and
// re-sending every batch gives exactly the counts of a clean sequential run. Timeouts are
// safety nets only.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nonZero, countsAfter } from '../providerHelpers.js';
import { RETENTION_MS, tempDir } from '../helpers.js';
import { prng } from '../random.js';
import { openSqlite } from '../../src/store/sqlite.js';

const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));
const SEED = process.env.DURABILITY_SEED ? Number(process.env.DURABILITY_SEED) : 1130;
const AUTH = `Basic ${Buffer.from('r1:crash-key-r1-0123456789').toString('base64')}`;
const TYPES = ['delivery', 'open', 'click', 'bounce', 'delay'] as const;

function batches(seed: number): unknown[][] {
  const r = prng(seed);
  const t0 = 1767225600;
  return Array.from({ length: 40 }, (_, b) =>
    Array.from({ length: 200 }, (_, i) => {
      // Every fifth batch repeats events of the one before (a SparkPost retry of part of a batch).
      const n = b % 5 === 4 && i % 2 === 0 ? (b - 1) * 200 + i : b * 200 + i;
      const type = TYPES[Math.floor(r() * TYPES.length)] as string;
      const cls = type === 'open' || type === 'click' ? 'track_event' : 'message_event';
      return { msys: { [cls]: { type, event_id: `e${n}-${type}`, transmission_id: `t${n % 300}`, rcpt_to: `u${n % 50}@example.com`, timestamp: String(t0 + n * 7), bounce_class: '10', target_link_url: 'https://example.com/x', campaign_id: `camp${n % 3}` } } };
    }),
  );
}

function cli(args: string[]): void {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  assert.equal(r.status, 0, r.stderr);
}

async function start(db: string) {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '' } });
  child.stderr.resume();
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server not ready')), 30_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve((JSON.parse(out.slice(0, nl)) as { url: string }).url);
      }
    });
  });
  return { child, url };
}

async function post(url: string, batch: unknown[]): Promise<{ accepted: number; duplicates: number } | null> {
  try {
    const res = await fetch(`${url}/webhooks/sparkpost?user=c1`, { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    return res.status === 200 ? ((await res.json()) as { accepted: number; duplicates: number }) : null;
  } catch {
    return null; // the server died mid-request: not acknowledged
  }
}

describe('provider route durability (SQLite, kill -9)', () => {
  const dir = tempDir('mailtally-provider-crash-');
  after(() => dir.cleanup());

  test(`seed ${SEED}: acknowledged SparkPost batches survive kill -9; a full re-send gives exact counts`, { timeout: 120_000 }, async () => {
    const db = join(dir.path, 'crash.sqlite');
    cli(['reseller', 'add', 'r1', '--api-key', 'crash-key-r1-0123456789', '--db', db]);
    cli(['customer', 'add', 'c1', '--reseller', 'r1', '--db', db]);
    const all = batches(SEED);
    const expected = (await countsAfter('sparkpost', all)).counts;

    const first = await start(db);
    const acknowledged: unknown[][] = [];
    let next = 0;
    const sender = async (): Promise<void> => {
      while (next < all.length) {
        const batch = all[next++] as unknown[];
        if ((await post(first.url, batch)) !== null) acknowledged.push(batch);
      }
    };
    const killAt = 50 + Math.floor(prng(SEED)() * 400);
    const killer = new Promise<void>((resolve) => setTimeout(() => (first.child.kill('SIGKILL'), resolve()), killAt));
    await Promise.all([killer, ...Array.from({ length: 4 }, sender)]);
    if (first.child.exitCode === null && first.child.signalCode === null) await once(first.child, 'exit');

    const second = await start(db);
    try {
      for (const batch of acknowledged) assert.equal((await post(second.url, batch))?.accepted, 0, 'an acknowledged batch was not durable');
      for (const batch of all) assert.notEqual(await post(second.url, batch), null);
      for (const batch of all) assert.equal((await post(second.url, batch))?.accepted, 0, 'a second full re-send applied something');
    } finally {
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
    }
    const store = openSqlite(db, { retentionMs: RETENTION_MS });
    try {
      const c = await store.findCustomer('c1');
      assert.deepEqual(nonZero(await store.aggregate(c!.id)), expected);
    } finally {
      await store.close();
    }
  });
});
