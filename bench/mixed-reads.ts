// Row 9: a mixed read load, so the row stops measuring one cached question. 1,000 customers with
// data; each request picks a customer, a range of 1–90 days ending somewhere in the last 110
// days; 30 % ask for two of the customer's categories, 10 % want XML, 5 % are aggregates. 20,000
// such paths are generated before the clock starts and wrk sends them in turn (lib/wrk.ts).
// Baseline: the bare node:http server answering a fixed body of the mean answer size.
// Row 11: the same load against `serve --workers 2` and a 2-process bare server.
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

    const bodyFile = join(dir.path, 'body');
    let meanBytes = 0;
    const measureReal = async (workers: number): Promise<{ result: WrkResult; cpu: number }> => {
      const server = await startServer({ db }, { logFile: join(dir.path, 'server.log'), workers });
      try {
        if (meanBytes === 0) {
          // Every generated path must be a 200 (a sample of them, to keep the set-up short).
          for (const p of paths.slice(0, 300)) {
            const r = await request(`${server.url}${p}`);
            if (r.status !== 200) throw new Error(`${p}: ${r.status} ${r.body.slice(0, 200)}`);
            meanBytes += Buffer.byteLength(r.body) / 300;
          }
          writeFileSync(bodyFile, `{"pad":"${'x'.repeat(Math.max(0, Math.round(meanBytes) - 10))}"}`);
        }
        const o = { url: server.url, pathsFile, connections: CONNECTIONS, workDir: dir.path };
        await loadPaths({ ...o, seconds: SIZES.httpWarmupSeconds }, paths);
        const cpu0 = cpuSecondsOf(server.proc.pid as number);
        const result = await loadPaths({ ...o, seconds: SIZES.httpSeconds }, paths);
        // With workers the CPU is the workers' (not yet reaped into the primary's): not shown.
        const cpu = workers > 1 ? NaN : ((cpuSecondsOf(server.proc.pid as number) - cpu0) / result.requests) * 1e6;
        if (result.failures > 0) throw new Error(`${result.failures} failed requests under the mixed load (${workers} workers)`);
        return { result, cpu };
      } finally {
        await server.stop();
      }
    };
    const measureBare = async (processes: number): Promise<WrkResult> => {
      const bare = await startBareServer(bodyFile, 'application/json; charset=utf-8', join(dir.path, 'bare.log'), processes);
      try {
        const o = { url: bare.url, pathsFile, connections: CONNECTIONS, workDir: dir.path };
        await loadPaths({ ...o, seconds: SIZES.httpWarmupSeconds }, paths);
        return await loadPaths({ ...o, seconds: SIZES.httpSeconds }, paths);
      } finally {
        await bare.stop();
      }
    };
    const one = await measureReal(1);
    const real = one.result;
    const cpuPerRequest = one.cpu;
    const base = await measureBare(1);
    const two = (await measureReal(2)).result;
    const base2 = await measureBare(2);
    const ratio2 = two.requestsPerSecond / base2.requestsPerSecond;
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
      {
        row: '11',
        what: 'mixed reads, `serve --workers 2` (req/s)',
        measured: `${fmt.int(two.requestsPerSecond)} (p99 ${fmt.ms(two.p99)})`,
        baseline: `2-process bare ${fmt.int(base2.requestsPerSecond)} (p99 ${fmt.ms(base2.p99)})`,
        ratio: fmt.ratio(ratio2),
        target: '≥ 0.5×',
        pass: ratio2 >= 0.5,
        note: `the row 9 load and paths against 2 workers on one port (node:cluster), baseline the bare server as 2 cluster workers; on 2 cores shared with wrk; p50 ${fmt.ms(two.p50)} (bare ${fmt.ms(base2.p50)}); 1 worker in the same run: ${fmt.int(real.requestsPerSecond)} req/s`,
        data: { requestsPerSecond: two.requestsPerSecond },
      },
    ];
  } finally {
    dir.cleanup();
  }
}

await runRow(NAME, main);
