// `mailtally db copy --to postgres://…`: a whole SQLite installation moves to PostgreSQL and
// every seed call answers identically there; dedup state and sequences come along; a non-empty
// target is refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { openPostgres } from '../../src/store/postgres.js';
import { RETENTION_MS, addReseller, at, basicAuth, openTempSqlite, tempDir } from '../helpers.js';
import { createTestDatabase, pgSkip } from '../pg.js';

const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));
const NOW = new Date('2024-02-29T20:00:00Z');

const CALLS = [
  'days=7',
  'start_date=2024-02-20&end_date=2024-02-29',
  '',
  'aggregate=1',
  'list=true',
  'category=news&category=promo&category=absent&days=5',
  'category[]=promo&start_date=2024-02-27',
];

function events(): object[] {
  const t0 = at('2024-02-26T09:00:00Z');
  return Array.from({ length: 600 }, (_, i) => ({
    event: ['processed', 'delivered', 'open', 'click', 'bounce', 'dropped', 'spamreport'][i % 7],
    timestamp: t0 + i * 397,
    email: `u${i % 41}@example.com`,
    sg_message_id: `msg-${i % 53}`,
    url: 'https://example.com/x',
    reason: 'Bounced Address',
    category: i % 3 ? ['news'] : ['promo', 'news'],
  }));
}

async function answers(app: FastifyInstance): Promise<string[]> {
  const out: string[] = [];
  for (const format of ['json', 'xml']) {
    for (const call of CALLS) {
      const res = await app.inject({ method: 'GET', url: `/api/distributor.manage.${format}?api_user=r1&api_key=key-r1-secret&method=stats&user=c1&${call}` });
      assert.equal(res.statusCode, 200, `${call}: ${res.body}`);
      out.push(res.body);
    }
  }
  return out;
}

const post = (app: FastifyInstance, body: unknown) =>
  app.inject({
    method: 'POST',
    url: '/webhooks/events?user=c1',
    headers: { authorization: basicAuth('r1', 'key-r1-secret'), 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

describe('db copy SQLite → PostgreSQL', { skip: pgSkip }, () => {
  test('every seed call answers identically after the copy; a second copy is refused', async () => {
    const dir = tempDir();
    const pgdb = await createTestDatabase();
    try {
      const sqlite = openTempSqlite(dir, 'source.sqlite');
      const r1 = await addReseller(sqlite, 'r1', 'key-r1-secret');
      const c1 = await sqlite.addCustomer('c1', r1, 'Europe/Berlin');
      await sqlite.setProviderWebhookKey('c1', 'mailgun', 'mg-signing-key');
      const source = await buildApp({ store: sqlite, now: () => NOW });
      assert.equal((await post(source, [...events(), { event: 'nope' }])).statusCode, 200);
      const before = await answers(source);
      const split = await sqlite.providerDaily(c1.id, { from: 0, to: 40_000 });
      assert.ok(split.get('sendgrid')?.size, 'the per-provider rollup has rows to copy');
      await source.close();
      await sqlite.close();

      const copy = spawnSync(process.execPath, [BIN, 'db', 'copy', '--db', join(dir.path, 'source.sqlite'), '--to', pgdb.url, '--json'], { encoding: 'utf8' });
      assert.equal(copy.status, 0, copy.stderr);
      const { copied } = JSON.parse(copy.stdout) as { copied: Record<string, number> };
      assert.equal(copied.resellers, 1);
      assert.equal(copied.customers, 1);
      assert.equal(copied.event_fingerprints, 600);
      assert.equal(copied.quarantine, 1);
      assert.equal(copied.provider_webhook_keys, 1);
      assert.equal(copied.provider_daily_stats, split.get('sendgrid')?.size);

      const pgStore = await openPostgres(pgdb.url, { retentionMs: RETENTION_MS, poolSize: 2 });
      const target = await buildApp({ store: pgStore, now: () => NOW });
      try {
        assert.deepEqual(await answers(target), before);
        assert.equal(await pgStore.providerWebhookKey(1, 'mailgun'), 'mg-signing-key');
        assert.deepEqual(await pgStore.providerDaily(1, { from: 0, to: 40_000 }), split);
        // Deduplication state came along: a retry of everything counts nothing twice.
        const retry = (await post(target, events())).json() as { accepted: number; duplicates: number };
        assert.deepEqual(retry, { accepted: 0, duplicates: 600, rejected: [] });
        // Sequences moved past the copied ids: new rows do not collide.
        assert.equal((await post(target, [{ event: 'still-nope' }])).statusCode, 200);
        assert.equal((await pgStore.quarantined(1, 10)).length, 2);
        await pgStore.addCustomer('c2', r1, 'UTC');
      } finally {
        await target.close();
        await pgStore.close();
      }

      const again = spawnSync(process.execPath, [BIN, 'db', 'copy', '--db', join(dir.path, 'source.sqlite'), '--to', pgdb.url], { encoding: 'utf8' });
      assert.notEqual(again.status, 0);
      assert.match(again.stderr, /not empty/);
      assert.doesNotMatch(again.stderr, /\n\s+at /);
    } finally {
      await pgdb.drop();
      dir.cleanup();
    }
  });
});
