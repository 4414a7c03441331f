// A CPU profile of the server (node --cpu-prof) under the row 9 load (mixed reads, 1,000
// customers, wrk -t1 -c32), summarised to stdout as markdown; also the server's CPU µs a request
// without the profiler. Not part of `npm run bench`. Usage:
//   node --import tsx bench/profile-mixed.ts
//   BENCH_PROFILE_ONE=1 node --import tsx bench/profile-mixed.ts   one 31-day JSON question repeated (the row 3 shape)
// BENCH_PROFILE_DIR keeps the .cpuprofile file (open it in Chrome DevTools).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdown, summarise } from './lib/cpuprofile.js';
import { QUICK, SIZES, ensureBuilt, log, tempDir } from './lib/env.js';
import { buildMixedDb, mixedPaths } from './lib/mixed-db.js';
import { API_KEY, API_USER, startServer } from './lib/server.js';
import { ensureWrk, loadPaths } from './lib/wrk.js';

const NAME = 'profile-mixed';
const CUSTOMERS = QUICK ? 200 : 1_000;

function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

ensureBuilt();
ensureWrk();
const dir = tempDir(NAME);
const base = process.env.BENCH_PROFILE_DIR || dir.path;
try {
  const db = join(dir.path, 'mailtally.sqlite');
  await buildMixedDb(db, CUSTOMERS);
  const one = process.env.BENCH_PROFILE_ONE === '1';
  const paths = one
    ? [`/api/distributor.manage.json?api_user=${API_USER}&api_key=${API_KEY}&method=stats&user=c1&days=31`]
    : mixedPaths(20_000, CUSTOMERS, 9);
  const pathsFile = join(dir.path, 'paths.txt');
  writeFileSync(pathsFile, `${paths.join('\n')}\n`);
  for (const profiled of [false, true]) {
    const nodeArgs = profiled ? ['--cpu-prof', '--cpu-prof-dir', base] : [];
    const server = await startServer({ db }, { logFile: join(dir.path, 'server.log'), nodeArgs });
    try {
      const o = { url: server.url, pathsFile, connections: 32, workDir: dir.path };
      await loadPaths({ ...o, seconds: SIZES.httpWarmupSeconds }, paths);
      const cpu0 = cpuSecondsOf(server.proc.pid as number);
      const r = await loadPaths({ ...o, seconds: SIZES.httpSeconds }, paths);
      const cpu = ((cpuSecondsOf(server.proc.pid as number) - cpu0) / r.requests) * 1e6;
      log(NAME, `${profiled ? 'profiled' : 'plain'}: ${Math.round(r.requestsPerSecond)} req/s, p99 ${r.p99.toFixed(1)} ms, server CPU ${Math.round(cpu)} µs a request`);
    } finally {
      await server.stop();
    }
  }
  const file = readdirSync(base).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${base}`);
  process.stdout.write(`${markdown(one ? 'One 31-day JSON question repeated (the row 3 shape; wrk -t1 -c32)' : 'Row 9 load: mixed reads, 1,000 customers (wrk -t1 -c32)', summarise(join(base, file)))}\n`);
} finally {
  dir.cleanup();
}
