// Rendered answers held in the read cache (store/answerCache.ts) are exact and bounded: every
// answer of a server whose answers are cached equals, byte for byte, that of a server on the
// same file that reads SQL each time (read cache off) — after a batch is acknowledged, after
// "today" moves, and under a budget small enough to evict — and the budget is honoured.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { AnswerCache } from '../../src/store/answerCache.js';
import { ReadCache } from '../../src/store/readCache.js';
import { openSqlite } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { R1, RETENTION_MS, type TempDir, addReseller, at, basicAuth, tempDir } from '../helpers.js';

const BUDGET = 256 * 1024;

describe('rendered-answer cache', () => {
  let dir: TempDir;
  let cached: Store;
  let direct: Store;
  let small: Store;
  const clock = { now: new Date('2025-03-20T10:00:00Z') };
  let apps: { cached: FastifyInstance; direct: FastifyInstance; small: FastifyInstance };
  let served = 0;

  before(async () => {
    dir = tempDir();
    const file = join(dir.path, 'answers.sqlite');
    cached = openSqlite(file, { retentionMs: RETENTION_MS });
    direct = openSqlite(file, { retentionMs: RETENTION_MS, readCacheBytes: 0 });
    small = openSqlite(file, { retentionMs: RETENTION_MS, readCacheBytes: BUDGET });
    const r1 = await addReseller(cached, 'r1', 'key-r1-secret');
    await cached.addCustomer('c1', r1, 'America/New_York');
    const options = (store: Store) => ({ store, now: () => clock.now, logger: false });
    apps = { cached: await buildApp(options(cached)), direct: await buildApp(options(direct)), small: await buildApp(options(small)) };
    assert.ok(cached.answers && small.answers && !direct.answers, 'answers are cached only with a read cache');
    // Count answers served from the cache, to prove the questions below were really held.
    const answers = cached.answers;
    const find = answers.find.bind(answers);
    answers.find = (customerId, key) => {
      const held = find(customerId, key);
      if (held) served++;
      return held;
    };
  });
  after(async () => {
    for (const app of Object.values(apps)) await app.close();
    for (const store of [cached, direct, small]) await store.close();
    dir.cleanup();
  });

  const post = async (id: string, iso: string, category = 'promo') => {
    const res = await apps.cached.inject({
      method: 'POST',
      url: '/webhooks/events?user=c1',
      headers: { authorization: basicAuth('r1', 'key-r1-secret'), 'content-type': 'application/json' },
      payload: JSON.stringify([{ event: 'processed', timestamp: at(iso), email: `${id}@x.test`, sg_message_id: id, category }]),
    });
    assert.equal(res.statusCode, 200);
  };
  const url = (prefix: string, format: string, params: string) =>
    `/${prefix}.${format}?api_user=${R1.api_user}&api_key=${R1.api_key}&method=stats&user=c1&${params}`;
  const QUESTIONS = [
    ['api/distributor.manage', 'json', 'days=3'],
    ['api/distributor.manage', 'xml', 'days=3'],
    ['api/distributor.manage', 'json', 'start_date=2025-03-01&end_date=2025-03-20&category=promo&category=news'],
    ['api/distributor.manage', 'json', 'aggregate=1'],
    ['api/distributor.manage', 'xml', 'aggregate=1&category=news&category=promo'],
    ['api/distributor.manage', 'json', 'list=true'],
    ['apiv2/reseller.manage', 'json', 'days=3'],
    ['apiv2/reseller.manage', 'xml', 'start_date=2025-03-17&end_date=2025-03-20&category=promo'],
  ] as const;

  /** Asks every question three times of the cached apps and once of the direct one: all must agree. */
  const allAgree = async (label: string) => {
    for (const [prefix, format, params] of QUESTIONS) {
      const want = await apps.direct.inject({ method: 'GET', url: url(prefix, format, params) });
      assert.equal(want.statusCode, 200, `${label}: ${params}: ${want.body}`);
      for (let i = 0; i < 3; i++) {
        for (const app of [apps.cached, apps.small]) {
          const got = await app.inject({ method: 'GET', url: url(prefix, format, params) });
          assert.equal(got.statusCode, 200);
          assert.equal(got.headers['content-type'], want.headers['content-type'], `${label}: ${prefix}.${format}?${params}`);
          assert.equal(got.body, want.body, `${label}: ${prefix}.${format}?${params} (ask ${i + 1})`);
        }
      }
    }
  };

  test('an answer changes right after a batch is acknowledged, and when "today" moves', async () => {
    await post('m1', '2025-03-19T15:00:00Z');
    await allAgree('first');
    assert.ok(served >= QUESTIONS.length, `held answers were served (${served})`);

    const before = served;
    await post('m2', '2025-03-19T16:00:00Z', 'news');
    await allAgree('after a batch');
    assert.ok(served > before);

    // Past midnight in New York (not yet in some other zone): days=3 and aggregate now end a day later.
    clock.now = new Date('2025-03-21T04:30:00Z');
    await post('m3', '2025-03-21T04:10:00Z');
    await allAgree('next local day');
    clock.now = new Date('2025-03-22T05:00:00Z');
    await allAgree('a day later, no new data');
  });

  test('many distinct questions stay within the budget', async () => {
    for (let d = 1; d <= 28; d++) {
      const from = `2025-02-${String(d).padStart(2, '0')}`;
      for (let i = 0; i < 2; i++) {
        for (const format of ['json', 'xml']) {
          const got = await apps.small.inject({ method: 'GET', url: url('api/distributor.manage', format, `start_date=${from}&end_date=2025-03-20&category=promo`) });
          assert.equal(got.statusCode, 200);
        }
      }
    }
    const s = small.readCacheStats?.();
    assert.ok(s);
    assert.ok(s.bytes <= s.budget, `${s.bytes} ≤ ${s.budget}`);
    assert.equal(s.budget, BUDGET);
    assert.ok(s.evictions > 0, 'the budget was reached and entries evicted');
    await allAgree('after evictions');
  });
});

describe('AnswerCache', () => {
  const make = () => new AnswerCache(new ReadCache(() => undefined, 1 << 20));
  const answer = { body: '[1]', type: 'application/json; charset=utf-8' };

  test('keeps a question asked again, not a one-off', () => {
    const cache = make();
    cache.keep(7, 'q', cache.stamp(7), answer);
    assert.equal(cache.find(7, 'q'), undefined, 'asked once: not kept');
    cache.keep(7, 'q', cache.stamp(7), answer);
    assert.deepEqual(cache.find(7, 'q'), answer);
    assert.equal(cache.find(8, 'q'), undefined, 'per customer');
  });

  test('keeps nothing made while the data changed (a batch of this process, or a foreign commit)', () => {
    // What SqliteChanges does on a foreign commit for customer 7: forget it before the next lookup.
    let committed = false;
    const readCache: ReadCache = new ReadCache(() => {
      if (committed) readCache.forget(7);
      committed = false;
    }, 1 << 20);
    const cache = new AnswerCache(readCache);
    cache.keep(7, 'q', cache.stamp(7), answer); // seen once
    let stamp = cache.stamp(7);
    readCache.forget(7); // a batch for customer 7 applied while its answer was made
    cache.keep(7, 'q', stamp, answer);
    assert.equal(cache.find(7, 'q'), undefined);

    stamp = cache.stamp(7);
    committed = true; // another connection committed for customer 7
    cache.keep(7, 'q', stamp, answer);
    assert.equal(cache.find(7, 'q'), undefined);

    cache.keep(7, 'q', cache.stamp(7), answer);
    assert.deepEqual(cache.find(7, 'q'), answer);
    committed = true;
    assert.equal(cache.find(7, 'q'), undefined, 'dropped on a foreign commit');
  });
});
