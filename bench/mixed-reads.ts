// Row 9: a mixed read load, so the row stops measuring one cached question. 1,000 customers with
// data; each request picks a customer, a range of 1–90 days ending somewhere in the last 110
// days; 30 % ask for two of the customer's categories, 10 % want XML, 5 % are aggregates. 20,000
// such paths are generated before the clock starts and wrk sends them in turn (lib/wrk.ts).
// Baseline: the bare node:http server answering a fixed body of the mean answer size.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RowResult, QUICK, SIZES, ensureBuilt, fmt, log, runRow, tempDir } from './lib/env.js';
import { request } from './lib/http.js';
import { buildMixedDb, mixedPaths } from './lib/mixed-db.js';
import { startBareServer, startServer } from './lib/server.js';
import { GENERATOR, type WrkResult, ensureWrk, loadPaths } from './lib/wrk.js';

const NAME = 'mixed-reads';

/** CPU seconds (user + system) the process has used so far. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
const CUSTOMERS = QUICK ? 200 : 1_000;
const PATHS = 20_000;
const CONNECTIONS = 32;

async function main(): Promise<RowResult[]> {
  ensureBuilt();
  const wrkThere = ensureWrk();
  const dir = tempDir(NAME);
  try {
    const db = join(dir.path, 'mailtally.sqlite');
    const t0 = performance.now();
    await buildMixedDb(db, CUSTOMERS);
    log(NAME, `built ${CUSTOMERS} customers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const paths = mixedPaths(PATHS, CUSTOMERS, 9);
    const pathsFile = join(dir.path, 'paths.txt');
    writeFileSync(pathsFile, `${paths.join('\n')}\n`);

    const server = await startServer({ db }, { logFile: join(dir.path, 'server.log') });
    let real: WrkResult;
    let meanBytes = 0;
    let cpuPerRequest = NaN;
    try {
      // Every generated path must be a 200 (a sample of them, to keep the set-up short).
      for (const p of paths.slice(0, 300)) {
        const r = await request(`${server.url}${p}`);
        if (r.status !== 200) throw new Error(`${p}: ${r.status} ${r.body.slice(0, 200)}`);
        meanBytes += Buffer.byteLength(r.body) / 300;
      }
      const o = { url: server.url, pathsFile, connections: CONNECTIONS, workDir: dir.path };
      await loadPaths({ ...o, seconds: SIZES.httpWarmupSeconds }, paths);
      const cpu0 = cpuSecondsOf(server.proc.pid as number);
      real = await loadPaths({ ...o, seconds: SIZES.httpSeconds }, paths);
      cpuPerRequest = ((cpuSecondsOf(server.proc.pid as number) - cpu0) / real.requests) * 1e6;
      if (real.failures > 0) throw new Error(`${real.failures} failed requests under the mixed load`);
    } finally {
      await server.stop();
    }

    const bodyFile = join(dir.path, 'body');
    writeFileSync(bodyFile, `{"pad":"${'x'.repeat(Math.max(0, Math.round(meanBytes) - 10))}"}`);
    const bare = await startBareServer(bodyFile, 'application/json; charset=utf-8', join(dir.path, 'bare.log'));
    let base: WrkResult;
    try {
      const o = { url: bare.url, pathsFile, connections: CONNECTIONS, workDir: dir.path };
      await loadPaths({ ...o, seconds: SIZES.httpWarmupSeconds }, paths);
      base = await loadPaths({ ...o, seconds: SIZES.httpSeconds }, paths);
    } finally {
      await bare.stop();
    }
    const ratio = real.requestsPerSecond / base.requestsPerSecond;
    log(NAME, `${fmt.int(real.requestsPerSecond)} req/s p99 ${fmt.ms(real.p99)}; bare ${fmt.int(base.requestsPerSecond)} req/s p99 ${fmt.ms(base.p99)}`);
    return [
      {
        row: '9',
        what: `mixed reads, ${fmt.int(CUSTOMERS)} customers (req/s)`,
        measured: `${fmt.int(real.requestsPerSecond)} (p99 ${fmt.ms(real.p99)})`,
        baseline: `${fmt.int(base.requestsPerSecond)} (p99 ${fmt.ms(base.p99)})`,
        ratio: fmt.ratio(ratio),
        target: '≥ 0.5×; p99 < 5 ms',
        pass: ratio >= 0.5 && real.p99 < 5,
        note:
          `${wrkThere ? 'wrk -t1' : 'autocannon (wrk could not be installed)'}, ${CONNECTIONS} connections, ${SIZES.httpSeconds} s after ${SIZES.httpWarmupSeconds} s warm-up, ` +
          `${fmt.int(PATHS)} pre-generated paths sent in turn (random customer, 1–90 days, 30 % two categories, 10 % XML, 5 % aggregate); ` +
          `p50 ${fmt.ms(real.p50)} (bare ${fmt.ms(base.p50)}), max ${fmt.ms(real.max)}; server CPU ${fmt.int(cpuPerRequest)} µs a request (user + system, from /proc: less sensitive to a shared machine than req/s); mean answer ${fmt.int(meanBytes)} bytes (the bare body's size); generator: ${GENERATOR()}`,
        data: { requestsPerSecond: real.requestsPerSecond, p99: real.p99, cpuMicrosPerRequest: cpuPerRequest },
      },
    ];
  } finally {
    dir.cleanup();
  }
}

await runRow(NAME, main);
