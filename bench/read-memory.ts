// Row 13: memory of the read model for 10,000 customers × 3 years. An installation of that size
// is built in bulk (lib/memory-db.ts: daily rollups and three categories, 1,095 days), then the
// built server is asked, customer by customer, a 3-year daily question (the whole 1,095-day
// answer) and a question over its three categories (last 7 days: the read model holds a
// category's whole history whatever the range, so this loads the same series as a 3-year
// question without rendering 360 KB per customer). Twice:
// - with a budget big enough for everything (MAILTALLY_READ_CACHE_MB=BIG_MB): every customer is
//   asked; the row's figure is the server's peak RSS (VmHWM) holding all of it;
// - with the default budget (64 MiB): the first DEFAULT_SHARE of the customers, about 1.5 times
//   what the budget holds, so the least recently used must go (all of them would only lengthen
//   the run: the script is meant to stay near 2 minutes).
// In both, /metrics is read while the questions run: the accounted bytes must never exceed the
// budget. The growth of RSS over the accounted bytes says how honest the estimate (Series.bytes)
// is.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { type RowResult, QUICK, ensureBuilt, fmt, log, runRow, tempDir } from './lib/env.js';
import { request } from './lib/http.js';
import { MEMORY_CATEGORIES, MEMORY_DAYS, buildMemoryDb } from './lib/memory-db.js';
import type { ReadCacheStats } from '../src/store/readCache.js';
import { API_KEY, API_USER, startServer } from './lib/server.js';

const NAME = 'read-memory';
const CUSTOMERS = Number(process.env.BENCH_MEMORY_CUSTOMERS || (QUICK ? 1_000 : 10_000));
/** Share of the customers asked with the default budget (≈3,000 of 10,000: ~1.5× what it holds). */
const DEFAULT_SHARE = 0.3;
const BIG_MB = 2_048;
const DEFAULT_MB = 64; // config.ts's default; the server is started without the variable
const CONNECTIONS = 4;
const TARGET_BYTES = 512 * 1024 * 1024;

const iso = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);

function paths(customers: number, today: number): string[] {
  const base = `/api/distributor.manage.json?api_user=${API_USER}&api_key=${API_KEY}&method=stats`;
  const categories = MEMORY_CATEGORIES.map(([name]) => `&category=${name}`).join('');
  const out: string[] = [];
  for (let i = 1; i <= customers; i++) {
    out.push(`${base}&user=c${i}&start_date=${iso(today - MEMORY_DAYS + 1)}&end_date=${iso(today)}`);
    out.push(`${base}&user=c${i}&start_date=${iso(today - 6)}&end_date=${iso(today)}${categories}`);
  }
  return out;
}

/** CPU seconds (user + system) the process has used so far. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function status(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** The read cache's figures as /metrics reports them, and the process's heap. */
interface CacheStats extends Omit<ReadCacheStats, 'accountHits' | 'accountMisses'> {
  /** V8's heap in use (live and not yet collected) and memory outside it (ArrayBuffers), prom-client's figures. */
  heapUsed: number;
  external: number;
}

async function cacheStats(url: string): Promise<CacheStats> {
  const r = await request(`${url}/metrics`);
  const value = (name: string): number => Number(new RegExp(`^mailtally_read_cache_${name} (\\S+)$`, 'm').exec(r.body)?.[1] ?? NaN);
  return {
    hits: value('hits_total'),
    misses: value('misses_total'),
    evictions: value('evictions_total'),
    bytes: value('bytes'),
    budget: value('budget_bytes'),
    entries: value('entries'),
    heapUsed: Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(r.body)?.[1] ?? NaN),
    external: Number(/^nodejs_external_memory_bytes (\S+)$/m.exec(r.body)?.[1] ?? NaN),
  };
}

interface Run {
  customers: number;
  seconds: number;
  /** RSS after start-up and one question (before the read model fills). */
  rssStart: number;
  rssEnd: number;
  hwm: number;
  /** Largest accounted bytes seen at any /metrics read during the run. */
  maxBytes: number;
  /** Server CPU seconds spent on the questions. */
  cpu: number;
  stats: CacheStats;
}

async function measure(db: string, logFile: string, today: number, customers: number, budgetMb: number | undefined): Promise<Run> {
  const env = budgetMb === undefined ? {} : { MAILTALLY_READ_CACHE_MB: String(budgetMb) };
  const server = await startServer({ db }, { logFile, env: { MAILTALLY_READ_CACHE_MB: undefined, ...env } });
  const pid = server.proc.pid as number;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    const list = paths(customers, today);
    // One question first, so the start figure includes the code paths and statements a question uses.
    const first = await request(`${server.url}${list[0] as string}`, { agent });
    if (first.status !== 200 || !first.body.includes(`"date":"${iso(today - MEMORY_DAYS + 1)}"`)) throw new Error(`unexpected answer ${first.status} ${first.body.slice(0, 200)}`);
    const rssStart = status(pid).rss;
    let maxBytes = 0;
    let next = 0;
    let failure: Error | undefined;
    const t0 = performance.now();
    const cpu0 = cpuSecondsOf(pid);
    const asker = async (): Promise<void> => {
      while (next < list.length && !failure) {
        const path = list[next++] as string;
        const r = await request(`${server.url}${path}`, { agent });
        if (r.status !== 200) failure = new Error(`${path}: ${r.status} ${r.body.slice(0, 200)}`);
      }
    };
    const watcher = async (): Promise<void> => {
      while (next < list.length && !failure) {
        maxBytes = Math.max(maxBytes, (await cacheStats(server.url)).bytes);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    await Promise.all([...Array.from({ length: CONNECTIONS }, asker), watcher()]);
    if (failure) throw failure;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSecondsOf(pid) - cpu0;
    const stats = await cacheStats(server.url);
    maxBytes = Math.max(maxBytes, stats.bytes);
    const { rss, hwm } = status(pid);
    return { customers, seconds, cpu, rssStart, rssEnd: rss, hwm, maxBytes, stats };
  } finally {
    agent.destroy();
    await server.stop();
  }
}

const describe = (r: Run): string =>
  `${fmt.int(r.customers)} customers in ${r.seconds.toFixed(0)} s (server CPU ${r.cpu.toFixed(0)} s): peak RSS ${fmt.mb(r.hwm)} (start ${fmt.mb(r.rssStart)}, end ${fmt.mb(r.rssEnd)}; ` +
  `V8 heap in use ${fmt.mb(r.stats.heapUsed)}, external ${fmt.mb(r.stats.external)}); ` +
  `cache ${fmt.mb(r.stats.bytes)} of ${fmt.mb(r.stats.budget)} (most seen ${fmt.mb(r.maxBytes)}), ${fmt.int(r.stats.entries)} entries, ` +
  `${fmt.int(r.stats.hits)} hits, ${fmt.int(r.stats.misses)} misses, ${fmt.int(r.stats.evictions)} evictions`;

async function main(): Promise<RowResult[]> {
  ensureBuilt();
  const dir = tempDir(NAME);
  try {
    const db = join(dir.path, 'mailtally.sqlite');
    const today = Math.floor(Date.now() / 86_400_000);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const built = await buildMemoryDb(db, CUSTOMERS, today);
    const buildSeconds = (performance.now() - t0) / 1000;
    const buildCpu = Object.values(process.cpuUsage(cpu0)).reduce((a, b) => a + b, 0) / 1e6;
    log(NAME, `built ${fmt.int(CUSTOMERS)} customers (${fmt.int(built.dailyRows)} daily rows, ${fmt.int(built.categoryRows)} category rows, ${fmt.mb(built.bytes)}) in ${buildSeconds.toFixed(0)} s (CPU ${buildCpu.toFixed(0)} s)`);

    const big = await measure(db, join(dir.path, 'server-big.log'), today, CUSTOMERS, BIG_MB);
    log(NAME, `budget ${BIG_MB} MiB: ${describe(big)}`);
    const small = await measure(db, join(dir.path, 'server-default.log'), today, Math.ceil(CUSTOMERS * DEFAULT_SHARE), undefined);
    log(NAME, `default budget: ${describe(small)}`);

    // Everything fitted: nothing evicted, and every series and category lookup loaded once (the
    // 3 category series, the daily one and the known-categories lookup: 5 entries a customer).
    const fitted = big.stats.evictions === 0 && big.stats.entries === big.stats.misses;
    const honoured = [big, small].every((r) => r.maxBytes <= r.stats.budget) && small.stats.budget === DEFAULT_MB * 1024 * 1024;
    const grown = big.rssEnd - big.rssStart;
    const perCustomer = big.stats.bytes / CUSTOMERS;
    return [
      {
        row: '13',
        what: `read model, ${fmt.int(CUSTOMERS)} customers × 3 years (peak RSS, all held)`,
        measured: `${fmt.mb(big.hwm)}; cache ${fmt.mb(big.stats.bytes)} ≤ ${fmt.mb(big.stats.budget)}${fitted ? ', all fitted' : ', NOT all fitted'}`,
        baseline: `default ${DEFAULT_MB} MiB budget: peak ${fmt.mb(small.hwm)}, cache at most ${fmt.mb(small.maxBytes)}, ${fmt.int(small.stats.evictions)} evictions`,
        ratio: `${(big.hwm / TARGET_BYTES).toFixed(2)} of 512 MiB`,
        target: '< 512 MiB RSS, budget honoured',
        pass: big.hwm < TARGET_BYTES && honoured && fitted,
        note:
          `installation built in bulk with SQL (lib/memory-db.ts) in ${buildSeconds.toFixed(0)} s (CPU ${buildCpu.toFixed(0)} s): ${fmt.int(built.dailyRows)} daily rows and ${fmt.int(built.categoryRows)} category rows ` +
          `(receipts daily, marketing 5 days of 7, newsletter weekly; 100–5,099 requests a day), ${fmt.mb(built.bytes)} on disk. ` +
          `Each customer asked a ${MEMORY_DAYS}-day daily question and a 3-category question (last 7 days; the read model loads each category's whole history), ${CONNECTIONS} connections, every answer a 200. ` +
          `Budget ${BIG_MB} MiB: ${describe(big)}; ${fmt.int(perCustomer)} accounted bytes a customer; RSS grew ${fmt.mb(grown)} while the cache accounted ${fmt.mb(big.stats.bytes)} (${(grown / big.stats.bytes).toFixed(2)}×: the estimate's honesty). ` +
          `Default ${DEFAULT_MB} MiB (MAILTALLY_READ_CACHE_MB unset), first ${Math.round(DEFAULT_SHARE * 100)} % of the customers: ${describe(small)} (evicted series are garbage until V8 collects them: RSS runs above start + budget under churn). Memory from /proc/<pid>/status (VmHWM, VmRSS), cache figures from /metrics read every 250 ms.`,
        data: { peakRss: big.hwm, cacheBytes: big.stats.bytes, defaultPeakRss: small.hwm, evictionsDefault: small.stats.evictions },
      },
    ];
  } finally {
    dir.cleanup();
  }
}

await runRow(NAME, main);
