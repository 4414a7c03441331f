// Focused ingest measurement for suppression lists (issue 14: ingest within 10 % of before):
// store.applyBatch on SQLite, no HTTP, events validated beforehand, so the difference between
// two trees is the transaction itself (list upserts, secure_delete). Run the same file in the
// tree before the change and in this one, alternating (the machine is shared):
//   node --import tsx bench/ingest-lists.ts            → events/s for the row 1 mix and a bounce-heavy mix
// BENCH_LIST_EVENTS (default 300,000) events in batches of 1,000, a third of them duplicates.
import { join } from 'node:path';
import { validateEvent, type NormalizedEvent } from '../src/domain/events.js';
import { openSqlite } from '../src/store/sqlite.js';
import { eventTexts } from './lib/events.js';
import { tempDir } from './lib/env.js';

const COUNT = Number(process.env.BENCH_LIST_EVENTS ?? 300_000);
const BATCH = 1000;
const now = Math.floor(Date.now() / 1000);

function prepared(bounceHeavy: boolean): NormalizedEvent[][] {
  const batches: NormalizedEvent[][] = [];
  let current: NormalizedEvent[] = [];
  let i = 0;
  for (const text of eventTexts(COUNT, { seed: 7, nowSeconds: now, spanDays: 30, duplicates: true })) {
    let raw = JSON.parse(text) as Record<string, unknown>;
    // Bounce-heavy: every fifth event turned into a bounce of a distinct address (a list write each).
    if (bounceHeavy && i++ % 5 === 0) raw = { ...raw, event: 'bounce', email: `b${i}@example.com`, reason: '550 5.1.1 unknown user', status: '5.1.1' };
    const v = validateEvent(raw, 'UTC');
    if (!v.ok) throw new Error(v.error);
    current.push(v.event);
    if (current.length === BATCH) {
      batches.push(current);
      current = [];
    }
  }
  return batches;
}

/** Events per wall-clock second and per CPU second of this process (the latter barely moved by other load). */
async function rate(batches: NormalizedEvent[][]): Promise<[number, number]> {
  const dir = tempDir('lists');
  try {
    const store = openSqlite(join(dir.path, 'b.sqlite'), { retentionMs: 7 * 86_400_000 });
    await store.addReseller('r1', Buffer.from('s'), Buffer.from('h'));
    const customer = await store.addCustomer('c1', (await store.findReseller('r1'))!.id, 'UTC');
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (const b of batches) await store.applyBatch(customer, b, [], new Date());
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    await store.close();
    const events = batches.length * BATCH;
    return [events / seconds, events / ((used.user + used.system) / 1e6)];
  } finally {
    dir.cleanup();
  }
}

for (const [name, heavy] of [['row 1 mix', false], ['bounce-heavy (20 % bounces)', true]] as const) {
  const batches = prepared(heavy);
  const runs: Array<[number, number]> = [];
  for (let k = 0; k < 3; k++) runs.push(await rate(batches));
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[1] as number;
  const wall = median(runs.map((r) => r[0]));
  const cpu = median(runs.map((r) => r[1]));
  process.stdout.write(`${name}: median ${Math.round(wall).toLocaleString('en-US')} events/s wall, ${Math.round(cpu).toLocaleString('en-US')} events per CPU second\n`);
}
