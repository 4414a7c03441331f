// The real binary (bin/mailtally.js → dist/, built by `npm run build`) serving on a free port of
// 127.0.0.1, on a SQLite file in a fresh folder holding reseller r1 (key `key-r1-secret`) and its
// customer c1; plus raw-socket helpers for what an HTTP client library would hide (partial
// writes, malformed requests, reading only after writing).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/mailtally.js', import.meta.url));
export const LIVE_AUTH = `Basic ${Buffer.from('r1:key-r1-secret').toString('base64')}`;

export interface LiveServer {
  child: ChildProcess;
  url: string;
  port: number;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (if still running), wait for the exit, remove the folder. */
  stop(): Promise<void>;
}

export interface Spawned {
  child: ChildProcess;
  url: string;
  /** The last 200,000 characters the server wrote on stderr (always drained: a full pipe would look like a hang). */
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `mailtally serve --port 0 --json` with the given storage flags, resolved once it prints its URL
 * (at most 30 s). `track` receives the child at once, so a caller can kill it whatever happens.
 */
export async function spawnServe(flags: string[], env: NodeJS.ProcessEnv, track?: Set<ChildProcess>): Promise<Spawned> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json', ...flags], { stdio: ['ignore', 'pipe', 'pipe'], env });
  track?.add(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-200_000)));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  let timer: NodeJS.Timeout | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(out.slice(0, nl)) as { url: string }).url);
    });
    void exited.then((x) => reject(new Error(`server exited before it was ready (${JSON.stringify(x)}): ${err}`)));
    timer = setTimeout(() => reject(new Error(`server not ready within 30 s: ${err}`)), 30_000);
  }).finally(() => clearTimeout(timer));
  return { child, url, stderr: () => err, exited };
}

export async function startLiveServer(env: Record<string, string> = {}): Promise<LiveServer> {
  const dir = tempDir('mailtally-live-');
  const db = join(dir.path, 'live.sqlite');
  const cliEnv = { ...process.env, DATABASE_URL: '', MAILTALLY_LOG_LEVEL: 'warn', ...env };
  for (const args of [
    ['reseller', 'add', 'r1', '--api-key', 'key-r1-secret'],
    ['customer', 'add', 'c1', '--reseller', 'r1'],
  ]) {
    const r = spawnSync(process.execPath, [BIN, ...args, '--db', db], { encoding: 'utf8', env: cliEnv });
    if (r.status !== 0) throw new Error(`mailtally ${args.join(' ')}: ${r.stderr}`);
  }
  const { child, url, stderr, exited } = await spawnServe(['--db', db], cliEnv);
  return {
    child,
    url,
    port: Number(new URL(url).port),
    stderr,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      dir.cleanup();
    },
  };
}

export interface RawAnswer {
  /** null when the connection closed (or was reset) without an answer. */
  status: number | null;
  /** The header block, lower-cased. */
  headers: string;
  body: string;
  /** How the connection ended: 'end' (the server closed it) or the socket error code. */
  ended: string;
}

/** Parses the first answer in `data` (Content-Length framed); null while incomplete. */
export function parseAnswer(data: Buffer): { status: number; headers: string; body: string } | null {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = data.subarray(0, end).toString('latin1');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
  if (data.length < end + 4 + length) return null;
  return { status, headers: head.toLowerCase(), body: data.subarray(end + 4, end + 4 + length).toString('utf8') };
}

/**
 * Opens a connection, writes `parts` one after the other (each waits for the previous to drain),
 * and only then reads, until the server closes the connection or `timeoutMs` passes.
 */
export function rawExchange(port: number, parts: Array<string | Buffer>, timeoutMs = 20_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let ended = 'end';
    socket.pause(); // read only once everything is written, like a client that writes its whole body first
    socket.on('error', (e: NodeJS.ErrnoException) => (ended = e.code ?? e.message));
    const timer = setTimeout(() => {
      ended = 'timeout';
      socket.destroy();
    }, timeoutMs);
    socket.on('close', () => {
      clearTimeout(timer);
      const answer = parseAnswer(received);
      resolve(answer ? { ...answer, ended } : { status: null, headers: '', body: received.toString('latin1'), ended });
    });
    socket.once('connect', async () => {
      try {
        for (const part of parts) if (!socket.write(part)) await once(socket, 'drain');
      } catch {
        // the server closed early: read what it said
      }
      socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
      socket.resume();
    });
  });
}
