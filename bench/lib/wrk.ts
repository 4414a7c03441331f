// wrk, Debian's HTTP load generator, for the rows where the load generator must not compete with
// the server: it is C with an event loop of its own, so at 32 connections it costs a fraction of
// a core where autocannon (JavaScript) costs most of one — on a 2-core machine autocannon's cost
// lowers the figures it reports. Installed with apt-get when absent (the run says so); a Lua
// script sends a pre-generated list of request paths in turn and prints the summary as JSON,
// with exact percentiles from wrk's own histogram (microsecond resolution).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from './load.js';
import { log } from './env.js';

export interface WrkResult {
  requestsPerSecond: number;
  requests: number;
  p50: number;
  p99: number;
  max: number;
  /** Non-2xx/3xx answers plus socket errors and timeouts. */
  failures: number;
}

const WRK = '/usr/bin/wrk';

/** Installs wrk from Debian when missing; false when that is impossible here (caller falls back). */
export function ensureWrk(): boolean {
  if (existsSync(WRK)) return true;
  log('wrk', 'wrk is missing: installing it with apt-get (Debian package "wrk")');
  try {
    execFileSync('apt-get', ['install', '-y', '-q', 'wrk'], { stdio: 'ignore' });
  } catch {
    try {
      execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
      execFileSync('apt-get', ['install', '-y', '-q', 'wrk'], { stdio: 'ignore' });
    } catch (err) {
      log('wrk', `could not install wrk (${(err as Error).message.split('\n')[0]})`);
    }
  }
  return existsSync(WRK);
}

// Requests rotate through the list from a per-thread offset; done() prints one JSON line.
const LUA = `
local paths = {}
local file = os.getenv("WRK_PATHS")
if file then for line in io.lines(file) do paths[#paths + 1] = line end end
local i = 0
request = function()
  if #paths == 0 then return wrk.format("GET") end
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"us":%d,"p50":%d,"p99":%d,"max":%d,"failures":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.status + e.connect + e.read + e.write + e.timeout))
end
`;

export interface WrkOptions {
  /** Base URL, e.g. http://127.0.0.1:1234 ; paths come from `pathsFile` (one per line) or `url`'s own path. */
  url: string;
  pathsFile?: string;
  connections: number;
  seconds: number;
  workDir: string;
}

export function wrk(o: WrkOptions): Promise<WrkResult> {
  const script = join(o.workDir, 'paths.lua');
  writeFileSync(script, LUA);
  return new Promise((resolve, reject) => {
    const child = spawn(WRK, ['-t1', `-c${o.connections}`, `-d${Math.max(1, Math.round(o.seconds))}s`, '--timeout', '10s', '-s', script, o.url], {
      env: { ...process.env, WRK_PATHS: o.pathsFile ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = /WRK_JSON (.*)/.exec(out)?.[1];
      if (code !== 0 || !line) return reject(new Error(`wrk exited with ${code}: ${out.slice(-500)}`));
      const j = JSON.parse(line) as { requests: number; us: number; p50: number; p99: number; max: number; failures: number };
      resolve({
        requestsPerSecond: j.requests / (j.us / 1e6),
        requests: j.requests,
        p50: j.p50 / 1000,
        p99: j.p99 / 1000,
        max: j.max / 1000,
        failures: j.failures,
      });
    });
  });
}

/**
 * The fallback where wrk cannot be had: autocannon in this (the bench's own) process, never the
 * server's, rotating through the same paths. It shares the two cores with the server, so its
 * figures are lower than wrk's; the row says which generator ran.
 */
export async function autocannonPaths(o: WrkOptions, paths: readonly string[]): Promise<WrkResult> {
  const r = await load({ url: o.url, connections: o.connections, seconds: o.seconds, paths });
  return { requestsPerSecond: r.requestsPerSecond, requests: r.requests, p50: r.p50, p99: r.p99, max: r.max, failures: r.non2xx + r.errors };
}

export const GENERATOR = (): string => (existsSync(WRK) ? 'wrk -t1 (C, its own process)' : 'autocannon (fallback: wrk could not be installed)');

/** wrk when it can be had, else autocannon over the same paths. */
export function loadPaths(o: WrkOptions & { pathsFile: string }, paths: readonly string[]): Promise<WrkResult> {
  return existsSync(WRK) ? wrk(o) : autocannonPaths(o, paths);
}
