// `serve --workers N`: N processes (node:cluster) accepting on one port, so stats calls use every
// core. Each worker is a whole server with its own store connection: on SQLite, WAL lets every
// worker read while one writes (writers take turns through SQLite's lock and busy_timeout), and
// each worker's read model sees the others' commits through PRAGMA data_version, so answers stay
// exact whichever worker a request reaches. The primary only starts, watches and stops them.
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import { CliError } from './common.js';

const MAX_WORKERS = 64;

/** `--workers`: a count from 1 to 64, or `auto` (the cores this process may use). */
export function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 1;
  if (value === 'auto') return Math.min(MAX_WORKERS, os.availableParallelism());
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_WORKERS)) throw new CliError(`--workers must be an integer from 1 to ${MAX_WORKERS}, or auto`);
  return n;
}

export const isWorker = (): boolean => cluster.isWorker;

/** In a worker: tell the primary where it listens. */
export function reportListening(url: string): void {
  process.send?.({ mailtallyUrl: url });
}

/**
 * Forks `n` workers (each re-runs this command line) and resolves with the URL once all listen.
 * SIGTERM/SIGINT are passed on, and the primary exits when the last worker has (each shuts down
 * gracefully on its own). A worker that dies while the others serve takes them down too, with
 * exit code 1: a supervisor restarting the whole service is simpler to reason about than a
 * half-sized one.
 */
export async function startWorkers(n: number): Promise<string> {
  const workers: Worker[] = Array.from({ length: n }, () => cluster.fork());
  let stopping = false;
  const stopAll = (): void => {
    stopping = true;
    for (const w of workers) if (!w.isDead()) w.process.kill('SIGTERM');
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, stopAll);
  try {
    const urls = await Promise.all(
      workers.map(
        (w) =>
          new Promise<string>((resolve, reject) => {
            w.on('message', (m: { mailtallyUrl?: string }) => m?.mailtallyUrl && resolve(m.mailtallyUrl));
            w.once('exit', (code) => reject(new CliError(`a worker exited (code ${code}) before it was listening`)));
          }),
      ),
    );
    for (const w of workers) {
      w.once('exit', () => {
        if (stopping) return;
        process.exitCode = 1;
        stopAll();
      });
    }
    return urls[0] as string;
  } catch (err) {
    stopAll();
    throw err;
  }
}
