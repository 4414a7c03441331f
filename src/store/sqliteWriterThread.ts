// The writer thread: applies batches on its own connection, off the server's event loop, and
// commits every batch that arrived while the previous transaction ran in ONE transaction — one
// fsync for all of them (group commit). Each batch runs in a savepoint, so one failing batch is
// answered with its error without undoing the others. A sender is answered only after the commit
// that holds its batch returned (synchronous=FULL: on disk), so a 200 still means durable.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { unpackEvents } from './batchWire.js';
import { openSqliteConnection } from './sqliteConnection.js';
import { sqliteWrites } from './sqliteWrites.js';
import type { WireError, WriterReply, WriterRequest, WriterStart } from './writerMessages.js';

// Events committed together at most: bounds how long one transaction holds the file's write
// lock (another process's writer waits that long) and how much a failed commit must resend.
const GROUP_EVENTS = 10_000;

const port = parentPort;
if (!port) throw new Error('sqliteWriterThread runs only as a worker thread');
const { path, options } = workerData as WriterStart;
const db = openSqliteConnection(path);
const writes = sqliteWrites(db, options);

const errorOf = (err: unknown): WireError => {
  const code = (err as { code?: unknown } | null)?.code;
  return { message: (err as Error | null)?.message ?? String(err), code: typeof code === 'string' ? code : undefined };
};

type ApplyRequest = WriterRequest & { op: 'apply' };

let commits = 0;

// One transaction for the group; each batch in a savepoint of its own (writes.apply nests).
const applyGroup = db.transaction((group: readonly ApplyRequest[], replies: WriterReply[]): void => {
  for (const m of group) {
    try {
      const result = writes.apply(m.customer, unpackEvents(m.events), m.rejected, m.nowMs, m.resolved);
      replies.push({ id: m.id, ok: true, result, commits: commits + 1 });
    } catch (err) {
      replies.push({ id: m.id, ok: false, error: errorOf(err) });
    }
  }
});

function commitGroup(group: readonly ApplyRequest[]): void {
  const replies: WriterReply[] = [];
  try {
    applyGroup.immediate(group, replies);
  } catch (err) {
    // The transaction did not start or did not commit: none of the group is acknowledged.
    const error = errorOf(err);
    for (const m of group) port?.postMessage({ id: m.id, ok: false, error } satisfies WriterReply);
    return;
  }
  commits++;
  for (const r of replies) port?.postMessage(r);
}

const queue: WriterRequest[] = [];
let closed = false;

function runQueued(): void {
  while (queue.length > 0) {
    const first = queue[0] as WriterRequest;
    if (first.op === 'apply') {
      const group: ApplyRequest[] = [];
      let events = 0;
      while (queue.length > 0 && queue[0]?.op === 'apply' && (group.length === 0 || events + queue[0].count <= GROUP_EVENTS)) {
        const m = queue.shift() as ApplyRequest;
        group.push(m);
        events += m.count;
      }
      commitGroup(group);
      continue;
    }
    queue.shift();
    if (first.op === 'close') {
      closed = true;
      db.close();
      port?.postMessage({ id: first.id, ok: true, result: null } satisfies WriterReply);
      port?.close();
      return;
    }
    try {
      const result = first.op === 'pruneExpired' ? writes.pruneExpired(first.cutoffMs, first.limit) : writes.pruneQuarantine(first.cutoffMs, first.limit);
      port?.postMessage({ id: first.id, ok: true, result } satisfies WriterReply);
    } catch (err) {
      port?.postMessage({ id: first.id, ok: false, error: errorOf(err) } satisfies WriterReply);
    }
  }
}

port.on('message', (m: WriterRequest) => {
  if (closed) return;
  queue.push(m);
  // Everything that arrived while the last transaction ran joins this one.
  for (let r = receiveMessageOnPort(port); r !== undefined; r = receiveMessageOnPort(port)) queue.push(r.message as WriterRequest);
  runQueued();
});
