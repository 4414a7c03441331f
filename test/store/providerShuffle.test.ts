// Property (issue 12): any order and any number of repeats of a provider's bodies give the same
// daily rollups as the bodies sent once in order — retries and reordering never change a count.
// fast-check, seeded and bounded; a real SQLite store, a fresh customer per run.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { MetricRow } from '../../src/domain/metrics.js';
import type { Store } from '../../src/store/types.js';
import { addReseller, openTempSqlite, type TempDir, tempDir } from '../helpers.js';
import { PROVIDER_BODIES } from '../fixtures/providers.js';
import { ingestInto } from '../providerHelpers.js';

const SEED = 20261130;
const RUNS = 12;

const BODIES = PROVIDER_BODIES;

describe('any shuffle and any repeats of a provider\'s bodies give the same counts', () => {
  let dir: TempDir;
  let store: Store;
  let reseller: number;
  let customers = 0;
  before(async () => {
    dir = tempDir();
    store = openTempSqlite(dir);
    reseller = await addReseller(store, 'r1', 'key-r1-secret');
  });
  after(async () => {
    await store.close();
    dir.cleanup();
  });

  async function rollups(bodies: readonly unknown[]): Promise<Array<[number, MetricRow]>> {
    const customer = await store.addCustomer(`c${++customers}`, reseller, 'America/New_York');
    await ingestInto(store, customer, providerOf(bodies), bodies);
    const daily = await store.daily(customer.id, { from: 0, to: 30_000 });
    return [...daily.entries()].sort(([a], [b]) => a - b);
  }
  const providerOf = (bodies: readonly unknown[]): string => Object.entries(BODIES).find(([, list]) => bodies.every((b) => list.includes(b)))?.[0] as string;

  for (const [provider, bodies] of Object.entries(BODIES)) {
    test(`${provider}: ${RUNS} seeded shuffles with 1–3 copies of each body`, async () => {
      const expected = await rollups(bodies);
      assert.ok(expected.length > 0);
      const plan = fc.tuple(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: bodies.length, maxLength: bodies.length }), fc.array(fc.nat(), { minLength: bodies.length * 3, maxLength: bodies.length * 3 }));
      await fc.assert(
        fc.asyncProperty(plan, async ([copies, keys]) => {
          const sent = bodies.flatMap((b, i) => Array.from({ length: copies[i] as number }, () => b));
          const order = sent.map((b, i) => ({ b, k: keys[i] as number })).sort((x, y) => x.k - y.k).map((x) => x.b);
          assert.deepEqual(await rollups(order), expected);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }
});
