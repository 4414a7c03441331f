// Row 6: `mailtally events import` of a large NDJSON file (the same event mix as the webhook
// rows, a third of it repeats). Peak RSS from /usr/bin/time -v, plus /proc sampling to show
// that memory stays flat as the file is read; the command runs under `script` so stderr is a
// terminal and its progress line is shown (and counted); the rate is compared with row 1's
// webhook rate (BENCH_WEBHOOK_RATE, set by run.ts). The file goes to a temp folder and is
// deleted after; its size is BENCH_IMPORT_BYTES (see env.ts), shrunk when the disk lacks room.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, type RowResult, SIZES, ensureBuilt, fmt, log, runRow, tempDir } from './lib/env.js';
import { eventTexts } from './lib/events.js';
import { commOf, processTree, rssOf } from './lib/proc.js';
import { setupInstallation } from './lib/server.js';

const NAME = 'import';
const RSS_LIMIT = 256 * 1024 * 1024;
const FULL_SIZE = 5e9;

function generate(path: string, bytes: number): { events: number; bytes: number } {
  const fd = openSync(path, 'w');
  let written = 0;
  let events = 0;
  let chunk: string[] = [];
  let chunkBytes = 0;
  try {
    for (const text of eventTexts(Number.MAX_SAFE_INTEGER, { seed: 6, nowSeconds: Math.floor(Date.now() / 1000), spanDays: 3, duplicates: true })) {
      chunk.push(text);
      chunkBytes += text.length + 1;
      events += 1;
      if (chunkBytes >= 4 << 20 || written + chunkBytes >= bytes) {
        written += writeSync(fd, `${chunk.join('\n')}\n`);
        chunk = [];
        chunkBytes = 0;
        if (written >= bytes) break;
      }
    }
  } finally {
    closeSync(fd);
  }
  return { events, bytes: written };
}

interface ImportRun {
  seconds: number;
  output: string;
  maxRssTime?: number;
  samples: Array<{ t: number; rss: number }>;
}

function runImport(file: string, db: string, timeFile: string): Promise<ImportRun> {
  const command = [process.execPath, CLI, 'events', 'import', '--user', 'c1', file, '--db', db, '--json'];
  const haveTime = existsSync('/usr/bin/time');
  const haveScript = existsSync('/usr/bin/script');
  const timed = haveTime ? ['/usr/bin/time', '-v', '-o', timeFile, ...command] : command;
  const quoted = timed.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const [cmd, args] = haveScript ? ['/usr/bin/script', ['-qefc', quoted, '/dev/null']] : [timed[0] as string, timed.slice(1)];
  const started = performance.now();
  const child = spawn(cmd, args as string[], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const samples: ImportRun['samples'] = [];
  const sampler = setInterval(() => {
    const node = processTree(child.pid as number).find((p) => commOf(p) === 'node' || commOf(p) === 'MainThread');
    if (node) samples.push({ t: (performance.now() - started) / 1000, rss: rssOf(node) });
  }, 250);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      clearInterval(sampler);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) reject(new Error(`import exited with ${code}: ${output.slice(-500)}`));
      else resolve({ seconds, output, samples });
    });
  });
}

async function main(): Promise<RowResult[]> {
  ensureBuilt();
  const dir = tempDir(NAME);
  try {
    const fs = statfsSync(dir.path);
    const free = fs.bavail * fs.bsize;
    // Room for the file, the database (≈ a third of the file) and a 2 GB margin.
    const room = Math.max(0, (free - 2e9) / 1.4);
    const target = Math.min(SIZES.importBytes, room);
    const notes: string[] = [];
    if (target < FULL_SIZE) {
      notes.push(
        target < SIZES.importBytes
          ? `file scaled down to ${fmt.mb(target)} because the disk has ${fmt.mb(free)} free`
          : `file ${fmt.mb(target)}, not 5 GB, to keep the suite near 10 minutes (BENCH_IMPORT_BYTES=5e9 for the full size; ${fmt.mb(free)} free)`,
      );
    }
    const file = join(dir.path, 'events.ndjson');
    const db = join(dir.path, 'mailtally.sqlite');
    const t0 = performance.now();
    const gen = generate(file, target);
    log(NAME, `generated ${fmt.mb(gen.bytes)} (${fmt.int(gen.events)} events) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await setupInstallation({ db });

    const timeFile = join(dir.path, 'time.txt');
    const run = await runImport(file, db, timeFile);
    const timeText = existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
    const maxKb = /Maximum resident set size \(kbytes\): (\d+)/.exec(timeText);
    const sampledPeak = Math.max(0, ...run.samples.map((s) => s.rss));
    const peak = maxKb ? Number(maxKb[1]) * 1024 : sampledPeak;
    const json = /\{"accepted":\d+,"duplicates":\d+,"rejected":\d+\}/.exec(run.output);
    if (!json) throw new Error(`no result line in the import output: ${run.output.slice(-300)}`);
    const totals = JSON.parse(json[0]) as { accepted: number; duplicates: number; rejected: number };
    const counted = totals.accepted + totals.duplicates + totals.rejected;
    if (counted !== gen.events) throw new Error(`import counted ${counted} events of ${gen.events}`);
    const rate = counted / run.seconds;
    const progressUpdates = (run.output.match(/events, [\d.]+ MB read/g) ?? []).length;
    const quartiles = [0.25, 0.5, 0.75, 1].map((q) => run.samples[Math.min(run.samples.length - 1, Math.floor(q * run.samples.length) - 1)]?.rss ?? 0);
    const webhook = Number(process.env.BENCH_WEBHOOK_RATE ?? NaN);
    const ratio = rate / webhook;
    log(NAME, `${fmt.int(counted)} events in ${run.seconds.toFixed(1)} s = ${fmt.int(rate)} events/s; peak RSS ${fmt.mb(peak)}; progress updates ${progressUpdates}`);
    const dbBytes = statSync(db).size + (existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0);
    return [
      {
        row: '6',
        what: `events import, ${fmt.mb(gen.bytes)} NDJSON (peak RSS; events/s)`,
        measured: `${fmt.mb(peak)}; ${fmt.int(rate)} events/s; progress ${progressUpdates > 0 ? `shown (${progressUpdates} updates)` : 'NOT shown'}`,
        baseline: Number.isFinite(webhook) ? `webhook ${fmt.int(webhook)} events/s (row 1)` : 'webhook rate not measured in this run',
        ratio: Number.isFinite(ratio) ? fmt.ratio(ratio) : '—',
        target: '< 256 MiB; progress; ≥ 1.0× webhook rate',
        pass: peak < RSS_LIMIT && progressUpdates > 0 && (Number.isFinite(ratio) ? ratio >= 1 : false),
        note: [
          ...notes,
          `${fmt.int(counted)} events (${fmt.int(totals.duplicates)} duplicates) in ${run.seconds.toFixed(0)} s incl. node start`,
          `RSS at 25/50/75/100 % of the run: ${quartiles.map(fmt.mb).join(' / ')}`,
          `database ${fmt.mb(dbBytes)}`,
        ].join('; '),
        data: { eventsPerSecond: rate, peakRss: peak },
      },
    ];
  } finally {
    dir.cleanup();
  }
}

await runRow(NAME, main);
