// PostgreSQL connections lost under webhook traffic (issue 10, item 1), against the real binary
// (dist/) and the real PostgreSQL. While four senders stream batches, the server's connections
// are cut again and again — by pg_terminate_backend on every backend of its database (what an
// administrator, a failover or a restart does), and by a proxy that drops the TCP connections
// without a word (a network partition). The process must stay up and answer only 200 or 503
// (in the envelope); once every batch that got a 503 is re-sent, as a webhook sender does, the
// rollups are exact, and a further full re-send accepts nothing.
//
// No timing is asserted; timeouts are safety nets only.
import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PG_ADMIN_URL, type TestDatabase, createTestDatabase, pgSkip } from '../pg.js';
import { type OutageProxy, outageProxy } from '../pgProxy.js';
import { type Spawned, spawnServe } from '../liveServer.js';

const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));
const API_KEY = 'connection-loss-key-r1-0123456789';
const AUTH = `Basic ${Buffer.from(`r1:${API_KEY}`).toString('base64')}`;
const BATCHES = 32;
// The senders go on (re-sending batches, as retries) until the connections were cut this many
// times, so a fast machine cannot finish the traffic before the cutting starts.
const MIN_CUT_ROUNDS = 8;
const BATCH_SIZE = 200;
const SENDERS = 4;
// Often enough that many batches are caught mid-transaction, seldom enough that others get through.
const TERMINATE_EVERY_MS = 500;
const CUT_EVERY_MS = 500;
const UNAVAILABLE = { message: 'error', errors: ['error in storage: temporarily unavailable, retry later'] };
const ENV = { ...process.env, DATABASE_URL: '', MAILTALLY_LOG_LEVEL: 'error', MAILTALLY_PG_POOL_SIZE: '4' };

type Event = Record<string, unknown>;

/**
 * Batches of opens, deliveries and requests over messages that span batches, with a quarter of
 * each batch re-sending events of earlier ones (a webhook sender's retries), and what the
 * rollups must hold once every event has been applied exactly once.
 */
function workload(nowSec: number) {
  const batches: Event[][] = [];
  const distinct = new Map<string, Event>();
  const sent: Event[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const batch: Event[] = [];
    for (let i = 0; i < BATCH_SIZE; i++) {
      const n = b * BATCH_SIZE + i;
      if (i % 4 === 3 && sent.length > 0) {
        batch.push({ ...(sent[(n * 7919) % sent.length] as Event), sg_event_id: `retry-${n}` });
        continue;
      }
      const kind = ['processed', 'delivered', 'open'][n % 3] as string;
      const message = `m${Math.floor(n / 5)}`;
      const event = { event: kind, timestamp: nowSec - (n % 3600), email: `rcpt${Math.floor(n / 5)}@example.test`, sg_message_id: message, category: [`cat${n % 3}`], sg_event_id: `ev-${n}` };
      batch.push(event);
      sent.push(event);
      distinct.set(`${kind}|${event.timestamp}|${message}`, event);
    }
    batches.push(batch);
  }
  const events = [...distinct.values()];
  const count = (kind: string) => events.filter((e) => e.event === kind).length;
  const expected = {
    requests: count('processed'),
    delivered: count('delivered'),
    opens: count('open'),
    unique_opens: new Set(events.filter((e) => e.event === 'open').map((e) => e.sg_message_id)).size,
  };
  return { batches: batches.map((b) => JSON.stringify(b)), expected, distinct: events.length };
}

type Server = Spawned;

const children = new Set<ChildProcess>();

async function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`safety timeout (${ms} ms): ${what()}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function cli(databaseUrl: string, args: string[]): void {
  const r = spawnSync(process.execPath, [BIN, ...args, '--database-url', databaseUrl, '--json'], { encoding: 'utf8', env: ENV });
  assert.equal(r.status, 0, `mailtally ${args.join(' ')}: ${r.stderr}`);
}

async function startServer(databaseUrl: string): Promise<Server> {
  return spawnServe(['--database-url', databaseUrl], ENV, children);
}

const alive = (server: Server): boolean => server.child.exitCode === null && server.child.signalCode === null;

/** One batch; the status and body, or the reason no answer came (refused, reset: the process died?). */
async function post(url: string, body: string): Promise<{ status: number; body: string } | { lost: string }> {
  try {
    const res = await fetch(`${url}/webhooks/events?user=c1`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(60_000),
    });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { lost: String((err as Error).cause ?? err) };
  }
}

async function rollups(databaseUrl: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(delivered), 0) AS delivered, COALESCE(SUM(opens), 0) AS opens, COALESCE(SUM(unique_opens), 0) AS unique_opens FROM daily_stats',
    );
    return Object.fromEntries(Object.entries(rows[0] as Record<string, string>).map(([k, v]) => [k, Number(v)]));
  } finally {
    await client.end();
  }
}

/**
 * Streams every batch (at least once, and on until MIN_CUT_ROUNDS) while `chaos` cuts
 * connections, then re-sends those answered 503 until each is 200, and checks the counts.
 * `chaos` calls `round()` after each cut, runs until `done()` is true and reports how many
 * connections it cut.
 */
async function ingestThroughChaos(
  database: TestDatabase,
  serveUrl: string,
  chaos: (done: () => boolean, round: () => void) => Promise<number>,
  log: (s: string) => void,
): Promise<void> {
  cli(database.url, ['reseller', 'add', 'r1', '--api-key', API_KEY]);
  cli(database.url, ['customer', 'add', 'c1', '--reseller', 'r1']);
  const server = await startServer(serveUrl);
  try {
    const { batches, expected, distinct } = workload(Math.floor(Date.now() / 1000));
    const statuses = new Map<number, number>();
    const unavailable: number[] = [];
    let accepted = 0;
    let next = 0;
    let finished = false;
    let rounds = 0;
    const cutting = chaos(
      () => finished,
      () => rounds++,
    );
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < batches.length || rounds < MIN_CUT_ROUNDS) {
          const i = next++ % batches.length;
          const res = await post(server.url, batches[i] as string);
          assert.ok('status' in res, `batch ${i}: no answer (${'lost' in res ? res.lost : ''}); process alive: ${alive(server)}\n${server.stderr().slice(-3000)}`);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 503) {
            assert.deepEqual(JSON.parse(res.body), UNAVAILABLE, `batch ${i}: the 503 is in the envelope`);
            unavailable.push(i);
          } else {
            assert.equal(res.status, 200, `batch ${i}: ${res.status} ${res.body}`);
            accepted += (JSON.parse(res.body) as { accepted: number }).accepted;
          }
        }
      }),
    ).finally(() => (finished = true));
    const cuts = await cutting;
    log(`${rounds} rounds cut ${cuts} connections; answers ${JSON.stringify(Object.fromEntries(statuses))}`);
    assert.ok(alive(server), `the process died: ${server.stderr().slice(-3000)}`);
    assert.ok(cuts > 0, 'connections were cut');
    assert.ok(unavailable.length > 0, 'some batches were caught by a cut (else this test shows nothing)');

    // The sender retries each 503 until it is taken; the pool has recovered by itself.
    for (const i of new Set(unavailable)) {
      for (let attempt = 1; ; attempt++) {
        const res = await post(server.url, batches[i] as string);
        assert.ok('status' in res && (res.status === 200 || res.status === 503), `batch ${i} re-sent: ${JSON.stringify(res)}`);
        if (res.status === 200) {
          accepted += (JSON.parse(res.body) as { accepted: number }).accepted;
          break;
        }
        assert.ok(attempt < 100, `batch ${i} still 503 after ${attempt} attempts with the database back`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // A batch cut during COMMIT may have been applied and still answered 503: its re-send
    // then counts its events as duplicates. Never more than once, though.
    assert.ok(accepted <= distinct, `acknowledged ${accepted} accepted events > ${distinct} distinct`);
    assert.deepEqual(await rollups(database.url), expected, 'rollups after every 503 was re-sent');

    let again = 0;
    for (const body of batches) {
      const res = await post(server.url, body);
      assert.ok('status' in res && res.status === 200, `full re-send: ${JSON.stringify(res)}`);
      again += (JSON.parse(res.body) as { accepted: number }).accepted;
    }
    assert.equal(again, 0, 'a full re-send accepts nothing');
    assert.deepEqual(await rollups(database.url), expected, 'rollups after a full re-send');

    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
    assert.doesNotMatch(server.stderr(), /Unhandled|uncaught/i);
  } finally {
    if (alive(server)) server.child.kill('SIGTERM');
    const exit = await withTimeout(server.exited, 20_000, () => 'server did not exit after SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, server.stderr().slice(-3000));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PostgreSQL connections lost under webhook traffic', { skip: pgSkip }, () => {
  after(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  test('pg_terminate_backend on the server’s backends, again and again: the process stays up, 200/503 only, exact counts after retries', { timeout: 180_000 }, async (t) => {
    const database = await createTestDatabase();
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    const name = new URL(database.url).pathname.slice(1);
    try {
      await ingestThroughChaos(
        database,
        database.url,
        async (done, round) => {
          let cut = 0;
          while (!done()) {
            await sleep(TERMINATE_EVERY_MS);
            const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
            cut += rowCount ?? 0;
            round();
          }
          return cut;
        },
        (s) => t.diagnostic(s),
      );
    } finally {
      await admin.end();
      await database.drop();
    }
  });

  test('the network to PostgreSQL dropped (connections reset without a word), again and again: the same', { timeout: 180_000 }, async (t) => {
    const database = await createTestDatabase();
    let proxy: OutageProxy | undefined;
    try {
      proxy = await outageProxy(new URL(database.url));
      const p = proxy;
      await ingestThroughChaos(
        database,
        p.url,
        async (done, round) => {
          let cuts = 0;
          while (!done()) {
            await sleep(CUT_EVERY_MS);
            cuts += p.cut();
            await sleep(30);
            p.restore();
            round();
          }
          return cuts;
        },
        (s) => t.diagnostic(s),
      );
    } finally {
      await proxy?.close();
      await database.drop();
    }
  });
});
