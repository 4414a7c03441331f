// One contract suite for every Store backend (SPEC section 6: both give identical answers).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AlreadyExistsError } from '../../src/domain/errors.js';
import { type NormalizedEvent, validateEvent } from '../../src/domain/events.js';
import type { Store } from '../../src/store/types.js';
import { RETENTION_MS, at } from '../helpers.js';
import { type Backend, backends } from './backends.js';
import { zeroMetrics } from '../../src/domain/metrics.js';

const NOW = new Date('2024-03-10T12:00:00Z');
const DAY = Math.floor(at('2024-03-10T00:00:00Z') / 86_400);

function ev(raw: Record<string, unknown>, tz = 'UTC'): NormalizedEvent {
  const v = validateEvent(raw, tz);
  if (!v.ok) throw new Error(v.error);
  return v.event;
}

async function seeded(store: Store) {
  await store.addReseller('r1', Buffer.from('salt'), Buffer.from('hash'));
  const r = await store.findReseller('r1');
  assert.ok(r);
  const customer = await store.addCustomer('c1', r.id, 'UTC');
  return { reseller: r, customer };
}

for (const backend of backends) {
  describe(`store contract: ${backend.name}`, { skip: backend.skip }, () => {
    const withStore = (fn: (ctx: Awaited<ReturnType<Backend['open']>>) => Promise<void>) => async () => {
      const ctx = await backend.open();
      try {
        await fn(ctx);
      } finally {
        await ctx.cleanup();
      }
    };

    test(
      'resellers and customers: unique names, lookups, binary-exact usernames',
      withStore(async ({ store }) => {
        const { reseller, customer } = await seeded(store);
        assert.equal(reseller.apiUser, 'r1');
        assert.deepEqual(reseller.keySalt, Buffer.from('salt'));
        await assert.rejects(store.addReseller('r1', Buffer.from('x'), Buffer.from('y')), AlreadyExistsError);
        await assert.rejects(store.addCustomer('c1', reseller.id, 'UTC'), AlreadyExistsError);
        assert.deepEqual(await store.findCustomer('c1'), customer);
        assert.equal(await store.findCustomer('C1'), null);
        assert.equal(await store.findReseller('nobody'), null);
      }),
    );

    test(
      'applyBatch deduplicates by fingerprint and bumps daily and category rollups',
      withStore(async ({ store }) => {
        const { customer } = await seeded(store);
        const t = at('2024-03-10T08:00:00Z');
        const batch = [
          ev({ event: 'processed', timestamp: t, sg_message_id: 'm1', email: 'a@x', category: ['a', 'b', 'a'] }),
          ev({ event: 'processed', timestamp: t, sg_message_id: 'm1', email: 'a@x', category: ['a', 'b'], sg_event_id: 'other' }),
          ev({ event: 'dropped', timestamp: t, sg_message_id: 'm2', email: 'b@x', reason: 'Bounced Address' }),
          ev({ event: 'group_resubscribe', timestamp: t, sg_message_id: 'm3', email: 'c@x', category: 'only-resub' }),
        ];
        assert.deepEqual(await store.applyBatch(customer, batch, [], NOW), { accepted: 3, duplicates: 1 });
        assert.deepEqual(await store.applyBatch(customer, batch, [], NOW), { accepted: 0, duplicates: 4 });

        const daily = await store.daily(customer.id, { from: DAY - 1, to: DAY });
        assert.equal(daily.size, 1);
        const row = daily.get(DAY);
        assert.equal(row?.requests, 2);
        assert.equal(row?.processed, 1);
        assert.equal(row?.repeat_bounces, 1);
        const byCat = await store.categoryDaily(customer.id, ['a', 'b', 'zzz'], { from: DAY, to: DAY });
        assert.equal(byCat.get('a')?.get(DAY)?.requests, 1, 'counted once under a category named twice');
        assert.equal(byCat.get('b')?.get(DAY)?.requests, 1);
        assert.equal(byCat.has('zzz'), false);
        assert.deepEqual(await store.categories(customer.id), ['a', 'b', 'only-resub']);
        assert.deepEqual(await store.knownCategories(customer.id, ['b', 'x', 'only-resub']), new Set(['b', 'only-resub']));
        assert.equal((await store.aggregate(customer.id)).requests, 2);
        // Reads may ask for a subset of metrics; the others come back as 0.
        const subset = (await store.daily(customer.id, { from: DAY, to: DAY }, ['processed'])).get(DAY);
        assert.deepEqual([subset?.processed, subset?.requests], [1, 0]);
        assert.deepEqual((await store.aggregate(customer.id, ['requests', 'processed'])).repeat_bounces, 0);
        assert.equal((await store.categoryDaily(customer.id, ['a'], { from: DAY, to: DAY }, ['requests'])).get('a')?.get(DAY)?.requests, 1);
      }),
    );

    test(
      'providerDaily splits the daily rollup by provider in the same transaction; a unique open moved to an earlier day moves in its provider\'s row (issue 12 item 6)',
      withStore(async ({ store }) => {
        const { customer } = await seeded(store);
        const t = at('2024-03-10T08:00:00Z');
        const as = (provider: string | undefined, e: NormalizedEvent): NormalizedEvent => (provider === undefined ? e : { ...e, provider });
        await store.applyBatch(
          customer,
          [
            as(undefined, ev({ event: 'delivered', timestamp: t, sg_message_id: 'sg-1', email: 'a@x' })),
            as('mailgun', ev({ event: 'delivered', timestamp: t, sg_message_id: 'mailgun:m1:b@x', email: 'b@x' })),
            as('mailgun', ev({ event: 'delivered', timestamp: t, sg_message_id: 'mailgun:m2:c@x', email: 'c@x' })),
            as('mailgun', ev({ event: 'open', timestamp: t, sg_message_id: 'mailgun:m1:b@x', email: 'b@x' })),
            as('sparkpost', ev({ event: 'bounce', timestamp: t - 86_400, sg_message_id: 'sparkpost:t1:d@x', email: 'd@x', type: 'bounce' })),
          ],
          [],
          NOW,
        );
        // The same open a day earlier: the unique open moves to that day, within mailgun.
        await store.applyBatch(customer, [as('mailgun', ev({ event: 'open', timestamp: t - 86_400, sg_message_id: 'mailgun:m1:b@x', email: 'b@x' }))], [], NOW);
        const split = await store.providerDaily(customer.id, { from: DAY - 1, to: DAY });
        assert.deepEqual([...split.keys()].sort(), ['mailgun', 'sendgrid', 'sparkpost']);
        assert.equal(split.get('sendgrid')?.get(DAY)?.delivered, 1);
        assert.equal(split.get('mailgun')?.get(DAY)?.delivered, 2);
        assert.equal(split.get('mailgun')?.get(DAY)?.unique_opens, 0);
        assert.equal(split.get('mailgun')?.get(DAY - 1)?.unique_opens, 1);
        assert.equal(split.get('mailgun')?.get(DAY - 1)?.opens, 1);
        assert.equal(split.get('sparkpost')?.get(DAY - 1)?.bounces, 1);
        // The providers of each day add up to that day's rollup.
        const daily = await store.daily(customer.id, { from: DAY - 1, to: DAY });
        for (const [day, row] of daily) {
          for (const metric of Object.keys(row) as Array<keyof typeof row>) {
            let sum = 0;
            for (const days of split.values()) sum += days.get(day)?.[metric] ?? 0;
            assert.equal(sum, row[metric], `${metric} on day ${day}`);
          }
        }
        assert.equal((await store.providerDaily(customer.id, { from: DAY + 1, to: DAY + 5 })).size, 0);
      }),
    );

    test(
      'parent-account reads sum every customer of one reseller only; categoryAggregate is all time (issue 11)',
      withStore(async ({ store }) => {
        const { reseller, customer } = await seeded(store);
        const tokyo = await store.addCustomer('tokyo', reseller.id, 'Asia/Tokyo');
        await store.addReseller('r2', Buffer.from('s'), Buffer.from('h'));
        const other = await store.addCustomer('other', (await store.findReseller('r2'))?.id as number, 'UTC');
        const t = at('2024-03-09T20:00:00Z'); // the 9th in UTC, already the 10th in Tokyo
        const sent = (m: string, category: string) => ev({ event: 'processed', timestamp: t, sg_message_id: m, email: 'a@x', category });
        await store.applyBatch(customer, [sent('m1', 'news'), sent('m2', 'promo')], [], NOW);
        await store.applyBatch(tokyo, [ev({ event: 'processed', timestamp: t, sg_message_id: 't1', email: 'a@x', category: 'news' }, 'Asia/Tokyo')], [], NOW);
        await store.applyBatch(other, [sent('o1', 'news'), sent('o2', 'theirs')], [], NOW);

        // Each customer's own day: c1's two on the 9th, Tokyo's one on the 10th; never r2's.
        const days = await store.resellerDaily(reseller.id, { from: DAY - 5, to: DAY });
        assert.deepEqual([...days.keys()].sort(), [DAY - 1, DAY]);
        assert.deepEqual([days.get(DAY - 1)?.requests, days.get(DAY)?.requests], [2, 1]);
        const news = (await store.resellerCategoryDaily(reseller.id, ['news', 'theirs'], { from: DAY - 5, to: DAY })).get('news');
        assert.deepEqual([news?.get(DAY - 1)?.requests, news?.get(DAY)?.requests], [1, 1]);
        assert.deepEqual(await store.resellerKnownCategories(reseller.id, ['news', 'promo', 'theirs', 'nope']), new Set(['news', 'promo']));
        assert.equal((await store.resellerCategoryDaily(reseller.id, ['theirs'], { from: DAY - 5, to: DAY })).size, 0);

        const totals = await store.categoryAggregate(customer.id, ['promo', 'news', 'nope'], ['requests']);
        assert.deepEqual([...totals.keys()].sort(), ['news', 'promo']);
        assert.deepEqual([totals.get('news')?.requests, totals.get('news')?.processed], [1, 0], 'only the metrics asked for');
      }),
    );

    test(
      'category order is binary (code point), case-sensitive',
      withStore(async ({ store }) => {
        const { customer } = await seeded(store);
        const t = at('2024-03-10T08:00:00Z');
        const names = ['b', 'B', 'a', 'Ä', 'ä', '_', '10', '9'];
        await store.applyBatch(customer, [ev({ event: 'delivered', timestamp: t, category: names })], [], NOW);
        assert.deepEqual(await store.categories(customer.id), [...names].sort());
      }),
    );

    test(
      'categories page by page, with their totals over a range (idle ones as zeros), and the aggregate up to a day',
      withStore(async ({ store }) => {
        const { customer } = await seeded(store);
        const t = at('2024-03-10T08:00:00Z');
        const names = ['', 'b', 'B', 'a', 'Ä', '\u{1F600}', '\uFFFD', '10'];
        await store.applyBatch(customer, [ev({ event: 'delivered', timestamp: t, sg_message_id: 'm', email: 'a@x', category: names })], [], NOW);
        await store.applyBatch(customer, [ev({ event: 'delivered', timestamp: t + 86_400, sg_message_id: 'n', email: 'a@x', category: 'b' })], [], NOW);
        const all = await store.categories(customer.id);
        const paged: string[] = [];
        // At most 10 pages: a store that ignored paging would otherwise loop for ever.
        for (let after: string | null = null, n = 0; n < 10; n++) {
          const page = await store.categories(customer.id, { after, limit: 3 });
          paged.push(...page);
          if (page.length < 3) break;
          after = page[page.length - 1] as string;
        }
        assert.deepEqual(paged, all, 'pages in binary order, the empty name included');
        const sums: Array<[string, number]> = [];
        for (let after: string | null = null, n = 0; n < 10; n++) {
          const page = await store.categorySumsPage(customer.id, { from: DAY, to: DAY + 1 }, { after, limit: 3 });
          sums.push(...page.map(({ name, row }): [string, number] => [name, row.delivered]));
          if (page.length < 3) break;
          after = page[page.length - 1]?.name as string;
        }
        assert.deepEqual(sums, all.map((n): [string, number] => [n, n === 'b' ? 2 : 1]));
        const idle = await store.categorySumsPage(customer.id, { from: DAY - 9, to: DAY - 1 }, { after: null, limit: 100 });
        assert.deepEqual(idle.map((e) => [e.name, e.row.delivered]), all.map((n) => [n, 0]));
        const some = await store.categorySums(customer.id, { from: DAY, to: DAY + 1 }, ['b', 'nope', '']);
        assert.deepEqual([...some].map(([n, r]) => [n, r.delivered]).sort(), [['', 1], ['b', 2]]);
        assert.equal((await store.categorySums(customer.id, { from: DAY, to: DAY }, [])).size, 0);
        assert.equal((await store.aggregate(customer.id, undefined, DAY)).delivered, 1);
        assert.equal((await store.aggregate(customer.id, undefined, DAY + 1)).delivered, 2);
        assert.equal((await store.aggregate(customer.id)).delivered, 2);
      }),
    );

    test(
      'unique opens move to the earliest open across batches; expired markers count again',
      withStore(async ({ store }) => {
        const { customer } = await seeded(store);
        const open = (iso: string, extra: Record<string, unknown> = {}) =>
          ev({ event: 'open', timestamp: at(iso), sg_message_id: 'm1', email: 'a@x', category: 'k', ...extra });
        await store.applyBatch(customer, [open('2024-03-09T10:00:00Z')], [], NOW);
        await store.applyBatch(customer, [open('2024-03-08T10:00:00Z')], [], NOW);
        await store.applyBatch(customer, [open('2024-03-10T10:00:00Z')], [], NOW);
        const days = await store.daily(customer.id, { from: DAY - 2, to: DAY });
        assert.deepEqual([DAY - 2, DAY - 1, DAY].map((d) => days.get(d)?.unique_opens ?? 0), [1, 0, 0]);
        assert.deepEqual([DAY - 2, DAY - 1, DAY].map((d) => days.get(d)?.opens ?? 0), [1, 1, 1]);
        const cat = await store.categoryDaily(customer.id, ['k'], { from: DAY - 2, to: DAY });
        assert.deepEqual([DAY - 2, DAY - 1, DAY].map((d) => cat.get('k')?.get(d)?.unique_opens ?? 0), [1, 0, 0]);

        // Past the retention window the marker is gone: the next open is unique again.
        const later = new Date(NOW.getTime() + RETENTION_MS + 1000);
        await store.applyBatch(customer, [open('2024-03-10T11:00:00Z')], [], later);
        assert.equal((await store.daily(customer.id, { from: DAY, to: DAY })).get(DAY)?.unique_opens, 1);
      }),
    );

    test(
      'rejected events are quarantined in the same batch; an empty batch changes nothing',
      withStore(async ({ store }) => {
        const { customer } = await seeded(store);
        assert.deepEqual(await store.applyBatch(customer, [], [{ index: 3, error: 'event: is required', payload: '{}' }], NOW), {
          accepted: 0,
          duplicates: 0,
        });
        assert.deepEqual(await store.aggregate(customer.id), zeroMetrics());
        const q = await store.quarantined(customer.id, 10);
        assert.equal(q.length, 1);
        const { id, ...rest } = q[0]!;
        assert.ok(Number.isInteger(id));
        assert.deepEqual({ ...rest, receivedAt: rest.receivedAt.getTime() }, { index: 3, error: 'event: is required', payload: '{}', receivedAt: NOW.getTime() });
      }),
    );

    test(
      'session versions: start at 0, endSessions and rotateKey each bump the account, and only it',
      withStore(async ({ store }) => {
        await seeded(store);
        await store.addReseller('r2', Buffer.from('s'), Buffer.from('h'));
        const r1 = (await store.findReseller('r1'))!;
        assert.equal(r1.sessionVersion, 0);
        await store.endSessions({ kind: 'reseller', id: r1.id });
        await store.endSessions({ kind: 'reseller', id: r1.id });
        assert.equal((await store.findReseller('r1'))?.sessionVersion, 2);
        await store.rotateKey('r1', Buffer.from('salt2'), Buffer.from('hash2'), Buffer.from('digest2'));
        assert.equal((await store.findReseller('r1'))?.sessionVersion, 3);
        assert.equal((await store.findResellerByKeyDigest(Buffer.from('digest2')))?.sessionVersion, 3);
        assert.equal((await store.findReseller('r2'))?.sessionVersion, 0);
      }),
    );

    test(
      'customer session versions (migration 010): endSessions, setCustomerKey and disabling bump the customer, and only it',
      withStore(async ({ store }) => {
        const { reseller, customer } = await seeded(store);
        await store.addCustomer('c2', reseller.id, 'UTC');
        const version = async (name: string) => (await store.findCustomerAccount(name))?.sessionVersion;
        assert.equal(await version('c1'), 0);
        await store.endSessions({ kind: 'customer', id: customer.id });
        assert.equal(await version('c1'), 1);
        await store.setCustomerKey('c1', Buffer.from('s'), Buffer.from('h'), Buffer.from('d'));
        assert.equal(await version('c1'), 2);
        assert.equal((await store.findCustomerByKeyDigest(Buffer.from('d')))?.sessionVersion, 2);
        await store.setCustomerDisabled('c1', true);
        await store.setCustomerDisabled('c1', false);
        assert.equal(await version('c1'), 3, 'enabling does not bring old sessions back');
        assert.equal(await version('c2'), 0);
        assert.equal((await store.findReseller('r1'))?.sessionVersion, 0, "the reseller's sessions untouched");
      }),
    );

    test(
      'reseller brands: set, read by id, cleared; unknown names report false',
      withStore(async ({ store }) => {
        const { reseller } = await seeded(store);
        assert.equal(await store.resellerBrand(reseller.id), null);
        assert.equal(await store.setResellerBrand('r1', { name: 'Acme ☃ <b>', color: '#1a73e8' }), true);
        assert.deepEqual(await store.resellerBrand(reseller.id), { name: 'Acme ☃ <b>', color: '#1a73e8' });
        assert.equal(await store.setResellerBrand('r1', null), true);
        assert.equal(await store.resellerBrand(reseller.id), null);
        assert.equal(await store.setResellerBrand('nobody', { name: 'x', color: '#000000' }), false);
        assert.equal(await store.setResellerBrand('no\0body', null), false);
        assert.equal(await store.resellerBrand(reseller.id + 1000), null);
      }),
    );

    test(
      'rotateKey and setWebhookKey update in place; unknown names report false',
      withStore(async ({ store }) => {
        const { customer } = await seeded(store);
        assert.equal(await store.rotateKey('r1', Buffer.from('salt2'), Buffer.from('hash2'), Buffer.from('digest2')), true);
        const rotated = await store.findReseller('r1');
        assert.deepEqual([rotated?.keySalt, rotated?.keyHash, rotated?.keyDigest], [Buffer.from('salt2'), Buffer.from('hash2'), Buffer.from('digest2')]);
        assert.equal(await store.rotateKey('nobody', Buffer.from('s'), Buffer.from('h'), Buffer.from('d')), false);
        // Key digests are unique across resellers: v3 names a reseller by its key alone.
        await store.addReseller('r2', Buffer.from('s'), Buffer.from('h'), Buffer.from('digest-r2'));
        await assert.rejects(store.rotateKey('r1', Buffer.from('s'), Buffer.from('h'), Buffer.from('digest-r2')), AlreadyExistsError);
        await assert.rejects(store.addReseller('r3', Buffer.from('s'), Buffer.from('h'), Buffer.from('digest2')), AlreadyExistsError);
        assert.equal((await store.findResellerByKeyDigest(Buffer.from('digest-r2')))?.apiUser, 'r2');
        assert.equal(await store.findResellerByKeyDigest(Buffer.from('nope')), null);
        assert.equal(await store.setWebhookKey('c1', 'PEM TEXT'), true);
        assert.deepEqual(await store.findCustomer('c1'), { ...customer, webhookKey: 'PEM TEXT' });
        assert.equal(await store.setWebhookKey('c1', null), true);
        assert.equal((await store.findCustomer('c1'))?.webhookKey, null);
        assert.equal(await store.setWebhookKey('nobody', null), false);
      }),
    );

    test(
      'retention: an expired fingerprint counts as new; pruning removes only expired state, in chunks',
      withStore(async ({ store }) => {
        const { customer } = await seeded(store);
        const t = at('2024-03-10T08:00:00Z');
        const events = Array.from({ length: 30 }, (_, i) => ev({ event: 'open', timestamp: t + i, sg_message_id: `m${i}`, email: 'a@x' }));
        await store.applyBatch(customer, events, [], NOW);
        const later = new Date(NOW.getTime() + RETENTION_MS + 1);
        // Not pruned yet, but expired: a re-delivery now counts again, and so does the unique open.
        assert.deepEqual(await store.applyBatch(customer, events.slice(0, 1), [], later), { accepted: 1, duplicates: 0 });
        const row = (await store.daily(customer.id, { from: DAY, to: DAY })).get(DAY);
        assert.deepEqual([row?.opens, row?.unique_opens], [31, 31]);

        // 29 fingerprints and 29 markers are expired at `later`; the re-delivered one is fresh.
        const cutoff = new Date(later.getTime() - RETENTION_MS);
        assert.equal(await store.pruneExpired(cutoff, 20), 20);
        assert.equal(await store.pruneExpired(cutoff, 100), 38);
        assert.equal(await store.pruneExpired(cutoff, 100), 0);
        // Rollups are untouched; what was pruned is simply forgotten.
        assert.equal((await store.aggregate(customer.id)).opens, 31);
        assert.deepEqual(await store.applyBatch(customer, events.slice(0, 2), [], later), { accepted: 1, duplicates: 1 });
      }),
    );

    test(
      'applyBatch removes resolved quarantine rows in the same transaction',
      withStore(async ({ store }) => {
        const { customer } = await seeded(store);
        await store.applyBatch(customer, [], [0, 1, 2].map((index) => ({ index, error: 'bad', payload: `{"n":${index}}` })), NOW);
        const rows = await store.quarantined(customer.id, 10);
        assert.deepEqual(rows.map((r) => r.index), [0, 1, 2]);
        assert.deepEqual((await store.quarantined(customer.id, 10, rows[0]!.id)).map((r) => r.index), [1, 2], 'paging by id');
        await store.applyBatch(customer, [ev({ event: 'delivered', timestamp: at('2024-03-10T01:00:00Z') })], [], NOW, [rows[0]!.id, rows[2]!.id]);
        assert.deepEqual((await store.quarantined(customer.id, 10)).map((r) => r.index), [1]);
        assert.equal((await store.aggregate(customer.id)).delivered, 1);
      }),
    );

    test(
      'reads reflect every committed batch, whichever connection (process) applied it',
      withStore(async ({ store, second }) => {
        const { customer } = await seeded(store);
        const other = await second();
        const range = { from: DAY, to: DAY };
        const delivered = (n: number) => ev({ event: 'delivered', timestamp: at('2024-03-10T06:00:00Z') + n, email: 'a@x', category: 'k' });
        const read = async (s: typeof store) => [
          (await s.daily(customer.id, range)).get(DAY)?.delivered ?? 0,
          (await s.aggregate(customer.id)).delivered,
          (await s.categoryDaily(customer.id, ['k'], range)).get('k')?.get(DAY)?.delivered ?? 0,
        ];
        assert.deepEqual(await read(store), [0, 0, 0]);
        await store.applyBatch(customer, [delivered(1)], [], NOW);
        assert.deepEqual(await read(store), [1, 1, 1], 'its own batch');
        await other.applyBatch(customer, [delivered(2)], [], NOW);
        assert.deepEqual(await read(store), [2, 2, 2], "another connection's batch");
        assert.deepEqual(await read(other), [2, 2, 2]);
        await store.applyBatch(customer, [delivered(3)], [], NOW);
        assert.deepEqual(await read(other), [3, 3, 3]);
      }),
    );

    test(
      'two connections applying the same batches count every event once',
      withStore(async ({ store, second }) => {
        const { customer } = await seeded(store);
        const other = await second();
        const events = Array.from({ length: 400 }, (_, i) =>
          ev({ event: i % 2 ? 'processed' : 'click', timestamp: at('2024-03-10T00:00:00Z') + i, sg_message_id: `m${i % 50}`, email: 'a@x', url: 'u' }),
        );
        const batches = [events.slice(0, 150), events.slice(100, 300), events.slice(250)];
        const results = await Promise.all([...batches, ...batches.reverse()].map((b, i) => (i % 2 ? other : store).applyBatch(customer, b, [], NOW)));
        assert.equal(results.reduce((n, r) => n + r.accepted, 0), 400);
        const row = (await store.daily(customer.id, { from: DAY, to: DAY })).get(DAY);
        assert.equal(row?.requests, 200);
        assert.equal(row?.clicks, 200);
        assert.equal(row?.unique_clicks, 25);
      }),
    );
  });
}
