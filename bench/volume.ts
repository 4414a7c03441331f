// Row 5: does a stats call cost more as stored volume grows? The same calls (daily 31 days,
// 3 categories × 31 days, aggregate; JSON) against installations of 10^4, 10^6 and 10^7 events
// built in bulk (lib/volume-db.ts), one connection, so the figure is unloaded latency.
// With BENCH_VOLUME_DIR set, the largest database is left there for startup.ts (row 7).
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type RowResult, SIZES, ensureBuilt, fmt, log, runRow, tempDir } from './lib/env.js';
import { request } from './lib/http.js';
import { load } from './lib/load.js';
import { startServer } from './lib/server.js';
import { SHAPES, statsUrl } from './lib/stats.js';
import { buildVolumeDb, volumeDbName } from './lib/volume-db.js';

const NAME = 'volume';
const shapes = SHAPES.filter((s) => ['3', '4b', '4c'].includes(s.row));

async function main(): Promise<RowResult[]> {
  ensureBuilt();
  const dir = tempDir(NAME);
  const keep = process.env.BENCH_VOLUME_DIR;
  const volumes = [...SIZES.volumes].sort((a, b) => a - b);
  // shape row → volume → latency (p50, mean, p99)
  const seen = new Map<string, Array<{ events: number; p50: number; mean: number; p99: number }>>();
  const built: string[] = [];
  try {
    for (const events of volumes) {
      const path = join(dir.path, volumeDbName(events));
      const info = await buildVolumeDb(path, events);
      built.push(`${events.toExponential(0)}: ${fmt.mb(info.bytes)}, ${info.customers} customers, built in ${info.buildSeconds.toFixed(0)} s`);
      log(NAME, `built ${fmt.int(events)} events (${fmt.mb(info.bytes)}, ${info.customers} customers) in ${info.buildSeconds.toFixed(1)} s`);
      const server = await startServer({ db: path }, { logFile: join(dir.path, 'server.log') });
      try {
        for (const shape of shapes) {
          const url = statsUrl(server.url, shape);
          const sample = await request(url);
          // The generated rollups must look like real ones: 200, integers only, every day present.
          if (sample.status !== 200 || /\d\.\d/.test(sample.body)) throw new Error(`${shape.what}: unexpected answer ${sample.status} ${sample.body.slice(0, 200)}`);
          await load({ url, connections: 1, seconds: 1 });
          const r = await load({ url, connections: 1, seconds: SIZES.volumeSeconds });
          if (r.non2xx > 0 || r.errors > 0) throw new Error(`${shape.what}: ${r.non2xx} non-2xx, ${r.errors} errors`);
          const list = seen.get(shape.row) ?? [];
          list.push({ events, p50: r.p50, mean: r.mean, p99: r.p99 });
          seen.set(shape.row, list);
          log(NAME, `${fmt.int(events)} events, ${shape.what.replace(' (req/s)', '')}: p50 ${fmt.ms(r.p50)}, mean ${fmt.ms(r.mean)}, p99 ${fmt.ms(r.p99)}`);
        }
      } finally {
        await server.stop();
      }
      if (keep && events === volumes[volumes.length - 1]) renameSync(path, join(keep, volumeDbName(events)));
      else rmSync(path, { force: true });
    }
  } finally {
    dir.cleanup();
  }

  return shapes.map((shape) => {
    const list = seen.get(shape.row) ?? [];
    const [base, ...rest] = list;
    if (!base) throw new Error('no measurement');
    const worst = Math.max(...rest.map((r) => r.p50 / base.p50));
    return {
      row: '5',
      what: `p50 latency vs stored events: ${shape.what.replace(' (req/s)', '')}`,
      measured: rest.map((r) => `${r.events.toExponential(0)}: ${fmt.ms(r.p50)}`).join('; '),
      baseline: `${base.events.toExponential(0)}: ${fmt.ms(base.p50)}`,
      ratio: fmt.ratio(worst),
      target: '< 1.5×',
      pass: worst < 1.5,
      note: `1 connection, ${SIZES.volumeSeconds} s per point; mean ${list.map((r) => fmt.ms(r.mean)).join(' / ')}, p99 ${list.map((r) => fmt.ms(r.p99)).join(' / ')}; data generated in bulk with SQL, not through HTTP (${built.join('; ')})`,
    };
  });
}

await runRow(NAME, main);
