// The real thing, started the way a user starts it: the built CLI (`node bin/mailtally.js`),
// a reseller and a customer made with its commands, `serve --port 0 --json` and the URL read
// from its stdout. Logs (Fastify's default: info, one line per request) go to a file.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI, ROOT } from './env.js';

const run = promisify(execFile);

export interface Storage {
  /** SQLite file, or a postgres:// URL. */
  db?: string;
  databaseUrl?: string;
}

export const API_USER = 'bench-reseller';
export const API_KEY = 'bench-key-0123456789abcdef';
export const CUSTOMER = 'c1';

export function storageArgs(s: Storage): string[] {
  return s.databaseUrl ? ['--database-url', s.databaseUrl] : ['--db', s.db as string];
}

export async function cli(args: string[], s: Storage): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, ...args, ...storageArgs(s), '--json'], { cwd: ROOT, maxBuffer: 1 << 24 });
  return stdout;
}

/** One reseller and `customers` customers (c1, c2, …) created through the CLI. */
export async function setupInstallation(s: Storage, customers = 1): Promise<void> {
  await cli(['reseller', 'add', API_USER, '--api-key', API_KEY], s);
  for (let i = 1; i <= customers; i++) await cli(['customer', 'add', `c${i}`, '--reseller', API_USER], s);
}

export interface Server {
  url: string;
  proc: ChildProcess;
  /** ms from spawn to the URL line on stdout. */
  listenMs: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  logFile: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

export function startServer(s: Storage, o: StartOptions & { workers?: number }): Promise<Server> {
  const workers = o.workers && o.workers > 1 ? ['--workers', String(o.workers)] : [];
  return spawnListening([...(o.nodeArgs ?? []), CLI, 'serve', '--port', '0', '--json', ...storageArgs(s), ...workers], o);
}

/** The bare node:http baseline answering `bodyFile` to every request (`processes` of them on one port). */
export function startBareServer(bodyFile: string, contentType: string, logFile: string, processes = 1): Promise<Server> {
  return spawnListening(['--import', 'tsx', join(ROOT, 'bench', 'lib', 'bare-server.ts'), bodyFile, contentType, String(processes)], { logFile });
}

/** Spawns `node args…` and resolves once it prints `{"url":…}` as its first stdout line. */
export function spawnListening(args: string[], o: StartOptions): Promise<Server> {
  const started = performance.now();
  const log = openSync(o.logFile, 'a');
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', log],
    env: { ...process.env, ...o.env },
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let done = false;
    const onData = (chunk: Buffer): void => {
      if (done) return; // keep draining: a full pipe would stall the server
      out += chunk.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      done = true;
      try {
        const { url } = JSON.parse(out.slice(0, nl)) as { url: string };
        resolve({ url, proc, listenMs: performance.now() - started, stop });
      } catch (err) {
        void stop();
        reject(new Error(`unexpected first line from the server: ${out.slice(0, nl)} (${(err as Error).message})`));
      }
    };
    proc.stdout?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening; see ${o.logFile}`)));
  });
}

/** Basic auth header of the bench reseller. */
export const BASIC = `Basic ${Buffer.from(`${API_USER}:${API_KEY}`).toString('base64')}`;
