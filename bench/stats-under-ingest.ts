// Row 10: the tail of a stats call while webhook ingest runs at full speed. The same 31-day JSON
// question as row 3 (customer c1), sent by wrk over 8 connections, first alone (the baseline),
// then while 4 senders post 1,000-event bodies for the same customer as fast as the server takes
// them — so every answer is read while batches commit, and every commit invalidates what c1's
// reads had remembered.
import { join } from 'node:path';
import { type RowResult, SIZES, ensureBuilt, fmt, log, runRow, tempDir } from './lib/env.js';
import { webhookBodies } from './lib/events.js';
import { postBatches, request } from './lib/http.js';
import { BASIC, CUSTOMER, setupInstallation, startServer } from './lib/server.js';
import { SHAPES, statsUrl } from './lib/stats.js';
import { GENERATOR, type WrkResult, ensureWrk, loadPaths } from './lib/wrk.js';
import { writeFileSync } from 'node:fs';

const NAME = 'stats-under-ingest';
const CONNECTIONS = 8;

async function main(): Promise<RowResult[]> {
  ensureBuilt();
  ensureWrk();
  const dir = tempDir(NAME);
  try {
    const storage = { db: join(dir.path, 'mailtally.sqlite') };
    await setupInstallation(storage, 1);
    const server = await startServer(storage, { logFile: join(dir.path, 'server.log') });
    try {
      const nowSeconds = Math.floor(Date.now() / 1000);
      const seed = webhookBodies(20, 1000, { seed: 3, nowSeconds, spanDays: 35, duplicates: true });
      const hook = `${server.url}/webhooks/events?user=${CUSTOMER}`;
      await postBatches(hook, seed.bodies, 1000, { senders: 4, seconds: 60, headers: { authorization: BASIC } });

      const shape = SHAPES.find((s) => s.row === '3')!;
      const url = statsUrl(server.url, shape);
      const path = url.slice(server.url.length);
      const pathsFile = join(dir.path, 'paths.txt');
      writeFileSync(pathsFile, `${path}\n`);
      if ((await request(url)).status !== 200) throw new Error('the stats call does not answer 200');
      const seconds = SIZES.httpSeconds;
      const o = { url: server.url, pathsFile, connections: CONNECTIONS, workDir: dir.path };
      await loadPaths({ ...o, seconds: SIZES.httpWarmupSeconds }, [path]);
      const alone: WrkResult = await loadPaths({ ...o, seconds }, [path]);

      // Enough bodies for the whole measurement at well above today's ingest rate.
      const { bodies } = webhookBodies(Math.max(40, seconds * 120), 1000, { seed: 4, nowSeconds, spanDays: 35, duplicates: true });
      const ingest = postBatches(hook, bodies, 1000, { senders: 4, seconds: seconds + 1, headers: { authorization: BASIC } });
      const loaded = await loadPaths({ ...o, seconds }, [path]);
      const run = await ingest;
      if (alone.failures + loaded.failures > 0) throw new Error(`${alone.failures + loaded.failures} failed stats requests`);
      const rate = run.events / run.seconds;
      log(NAME, `p99 alone ${fmt.ms(alone.p99)}, under ingest ${fmt.ms(loaded.p99)} (${fmt.int(rate)} events/s offered and answered)`);
      return [
        {
          row: '10',
          what: 'stats daily 31 days JSON, p99 while webhook ingest runs (ms)',
          measured: `p99 ${fmt.ms(loaded.p99)} (${fmt.int(loaded.requestsPerSecond)} req/s)`,
          baseline: `alone: p99 ${fmt.ms(alone.p99)} (${fmt.int(alone.requestsPerSecond)} req/s)`,
          ratio: fmt.ratio(loaded.p99 / alone.p99),
          target: 'p99 < 10 ms',
          pass: loaded.p99 < 10,
          note:
            `${GENERATOR()}, ${CONNECTIONS} connections, ${seconds} s each; ingest during it: ${fmt.int(rate)} events/s (${run.batches} batches of 1,000 from 4 senders, ` +
            `same customer; batch round trip p99 ${fmt.ms([...run.latencies].sort((a, b) => a - b)[Math.floor(run.latencies.length * 0.99)] ?? NaN)}); ` +
            `stats p50 ${fmt.ms(loaded.p50)} (alone ${fmt.ms(alone.p50)}), max ${fmt.ms(loaded.max)}; the ingest client is this bench process (node) and shares the cores`,
          data: { p99: loaded.p99, eventsPerSecond: rate },
        },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    dir.cleanup();
  }
}

await runRow(NAME, main);
