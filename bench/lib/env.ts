// Where the benchmarks run and how big they are. BENCH_QUICK=1 shrinks every size for a smoke
// run (~1–2 minutes); the defaults fit the whole suite in about ten minutes on a 2-core machine.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'bin', 'mailtally.js');
export const QUICK = process.env.BENCH_QUICK === '1';

function num(name: string, full: number, quick: number): number {
  const raw = process.env[name];
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
    return n;
  }
  return QUICK ? quick : full;
}

/** Every size and duration of the suite, overridable one by one through the environment. */
export const SIZES = {
  /** Row 1/2: 1,000-event batches offered to the server (the run stops at ingestSeconds). */
  ingestBatches: num('BENCH_INGEST_BATCHES', 600, 40),
  ingestSeconds: num('BENCH_INGEST_SECONDS', 30, 8),
  /** Row 3/4: autocannon duration per measurement (server and bare baseline each). */
  httpSeconds: num('BENCH_HTTP_SECONDS', 8, 2),
  httpWarmupSeconds: num('BENCH_HTTP_WARMUP_SECONDS', 2, 0.5),
  /** Row 5: stored volumes, in events. */
  volumes: (process.env.BENCH_VOLUMES ?? (QUICK ? '1e4,1e5' : '1e4,1e6,1e7')).split(',').map(Number),
  volumeSeconds: num('BENCH_VOLUME_SECONDS', 3, 1),
  /** Row 6: size of the generated NDJSON file. */
  importBytes: num('BENCH_IMPORT_BYTES', 1.5e9, 60e6),
  /** Row 7: server starts measured. */
  startups: num('BENCH_STARTUPS', 5, 3),
};

export const PG_ADMIN_URL = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TempDir {
  path: string;
  cleanup(): void;
}

/** A scratch folder on the same disk as a default install (BENCH_TMPDIR to move it). */
export function tempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(process.env.BENCH_TMPDIR || tmpdir(), `mailtally-bench-${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** `npm run build` once per suite run (run.ts sets BENCH_BUILT=1 for the scripts it spawns). */
export function ensureBuilt(): void {
  if (process.env.BENCH_BUILT === '1' && existsSync(join(ROOT, 'dist', 'cli', 'index.js'))) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  process.env.BENCH_BUILT = '1';
}

export function cpuModel(): string {
  const line = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('model name'));
  return line ? line.split(':')[1]?.trim() ?? 'unknown' : 'unknown';
}

/** The result of one table row (or one sub-measurement of it). */
export interface RowResult {
  row: string;
  what: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
  pass: boolean | null;
  note?: string;
  /** Raw numbers other rows may use (e.g. the webhook rate for row 6). */
  data?: Record<string, number>;
}

/**
 * Each row script runs standalone (prints a table) or under run.ts, which passes
 * BENCH_RESULT_FILE and reads the rows back.
 */
export async function runRow(name: string, main: () => Promise<RowResult[]>): Promise<void> {
  try {
    const rows = await main();
    for (const r of rows) {
      const verdict = r.pass === null ? 'info' : r.pass ? 'PASS' : 'FAIL';
      process.stdout.write(`[${name}] row ${r.row} ${r.what}: ${r.measured} | baseline ${r.baseline} | ${r.ratio} | target ${r.target} | ${verdict}${r.note ? ` | ${r.note}` : ''}\n`);
    }
    if (process.env.BENCH_RESULT_FILE) writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify(rows));
  } catch (err) {
    process.stderr.write(`[${name}] failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}

export const fmt = {
  int: (n: number): string => Math.round(n).toLocaleString('en-US'),
  ratio: (n: number): string => `${n.toFixed(2)}×`,
  ms: (n: number): string => `${n < 10 ? n.toFixed(2) : n.toFixed(0)} ms`,
  mb: (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MiB`,
};

export function log(name: string, message: string): void {
  process.stderr.write(`[${name}] ${message}\n`);
}
