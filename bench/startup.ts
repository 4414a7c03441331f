// Row 7: from spawning `node bin/mailtally.js serve --port 0 --json --db …` on an existing
// 10^7-event installation to the first 200 from /healthz (the port is known once the URL line
// is printed; /healthz is then polled every 5 ms). For context, the same on an empty
// installation and the cost of starting node itself. Uses the database volume.ts leaves in
// BENCH_VOLUME_DIR, or builds one.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type RowResult, SIZES, ensureBuilt, fmt, log, runRow, tempDir } from './lib/env.js';
import { percentile, request } from './lib/http.js';
import { setupInstallation, startServer } from './lib/server.js';
import { buildVolumeDb, volumeDbName } from './lib/volume-db.js';

const NAME = 'startup';

async function timeToHealthy(db: string, logFile: string): Promise<{ total: number; listen: number }> {
  const started = performance.now();
  const server = await startServer({ db }, { logFile });
  try {
    for (;;) {
      const r = await request(`${server.url}/healthz`).catch(() => ({ status: 0, body: '' }));
      if (r.status === 200) break;
      if (performance.now() - started > 30_000) throw new Error(`/healthz still ${r.status} after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { total: performance.now() - started, listen: server.listenMs };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<RowResult[]> {
  ensureBuilt();
  const dir = tempDir(NAME);
  try {
    const events = Math.max(...SIZES.volumes);
    const kept = process.env.BENCH_VOLUME_DIR ? join(process.env.BENCH_VOLUME_DIR, volumeDbName(events)) : '';
    let db = kept;
    if (!kept || !existsSync(kept)) {
      db = join(dir.path, volumeDbName(events));
      log(NAME, `building a ${fmt.int(events)}-event installation`);
      await buildVolumeDb(db, events);
    }
    const empty = join(dir.path, 'empty.sqlite');
    await setupInstallation({ db: empty });

    const t0 = performance.now();
    execFileSync(process.execPath, ['-e', '0']);
    const nodeMs = performance.now() - t0;

    const logFile = join(dir.path, 'server.log');
    await timeToHealthy(db, logFile); // first start: page cache, migrations check
    const full: number[] = [];
    const listen: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < SIZES.startups; i++) {
      const r = await timeToHealthy(db, logFile);
      full.push(r.total);
      listen.push(r.listen);
      bare.push((await timeToHealthy(empty, logFile)).total);
    }
    const median = percentile(full, 50);
    log(NAME, `10^${Math.log10(events).toFixed(0)} events: ${full.map((x) => x.toFixed(0)).join(', ')} ms; empty: ${bare.map((x) => x.toFixed(0)).join(', ')} ms`);
    return [
      {
        row: '7',
        what: `start to /healthz 200, ${events.toExponential(0)}-event database (ms)`,
        measured: `${fmt.ms(median)} (median of ${full.length}; max ${fmt.ms(Math.max(...full))})`,
        baseline: `empty database ${fmt.ms(percentile(bare, 50))}; \`node -e 0\` ${fmt.ms(nodeMs)}`,
        ratio: '—',
        target: '< 500 ms',
        pass: Math.max(...full) < 500,
        note: `spawn → URL on stdout ${fmt.ms(percentile(listen, 50))} (median); the rest is the first /healthz round trip; database file ${kept && existsSync(kept) ? 'from row 5' : 'built for this row'}`,
      },
    ];
  } finally {
    dir.cleanup();
  }
}

await runRow(NAME, main);
