// The store's side of the writer thread (sqliteWriterThread.ts): sends it batches and prune
// rounds, and settles each call with its reply. Calls are answered in the order sent. If the
// thread dies, every call waiting on it fails as "storage unavailable" (a 503: the sender
// retries; nothing was acknowledged) and the next call starts a new thread.
import { Worker } from 'node:worker_threads';
import { StorageUnavailableError } from '../domain/errors.js';
import type { NormalizedEvent } from '../domain/events.js';
import { packEvents } from './batchWire.js';
import { translated } from './sqliteErrors.js';
import type { BatchCustomer, WriteOptions } from './sqliteWrites.js';
import type { BatchResult, Rejection } from './types.js';
import type { WriterReply, WriterRequest, WriterStart } from './writerMessages.js';

// Built code runs the .js beside this file. The tests run the sources through tsx, where only
// the .ts exists; on Node 20 a worker does not get the loader `--import tsx` registered in the
// parent, so the thread registers it itself before importing the .ts.
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const THREAD_URL = new URL(FROM_SOURCES ? './sqliteWriterThread.ts' : './sqliteWriterThread.js', import.meta.url);
const newThread = (workerData: WriterStart): Worker =>
  FROM_SOURCES
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(THREAD_URL.href)}); });`, { eval: true, workerData })
    : new Worker(THREAD_URL, { workerData });

type Waiting = { resolve: (value: never) => void; reject: (err: unknown) => void };
type Body<R> = R extends unknown ? Omit<R, 'id'> : never;

export class SqliteWriter {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closing: Promise<void> | null = null;
  /** Batches committed, and the commits that held them (fewer: group commit). For /metrics. */
  readonly stats = { batches: 0, commits: 0 };
  private lastCommit = 0;

  constructor(private readonly start: WriterStart) {
    this.thread();
  }

  apply(customer: BatchCustomer, events: readonly NormalizedEvent[], rejected: readonly Rejection[], now: Date, resolved: readonly number[]): Promise<BatchResult> {
    const wire = packEvents(events);
    return this.call<BatchResult>({ op: 'apply', customer: { id: customer.id }, events: wire, count: events.length, rejected, nowMs: now.getTime(), resolved }, [wire.fingerprints.buffer as ArrayBuffer]);
  }

  prune(op: 'pruneExpired' | 'pruneQuarantine', cutoff: Date, limit: number): Promise<number> {
    return this.call<number>({ op, cutoffMs: cutoff.getTime(), limit });
  }

  /** Lets the thread finish what it was sent, then stops it. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const worker = this.worker;
      if (!worker) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const closed = this.send<null>(worker, { op: 'close' }).catch(() => undefined);
      worker.ref(); // until it has exited: a closing store is still work to wait for
      await closed;
      await exited;
    })();
    return this.closing;
  }

  private call<T>(body: Body<WriterRequest>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closing) return Promise.reject(new StorageUnavailableError('the store is closing'));
    return this.send<T>(this.thread(), body, transfer);
  }

  private send<T>(worker: Worker, body: Body<WriterRequest>, transfer: ArrayBuffer[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: never) => void, reject });
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage({ ...body, id }, transfer);
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = newThread(this.start);
    worker.unref();
    worker.on('message', (reply: WriterReply) => this.settle(reply));
    worker.on('error', (err) => this.lost(worker, err));
    worker.on('exit', (code) => this.lost(worker, new Error(`writer thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: WriterReply): void {
    const w = this.waiting.get(reply.id);
    if (!w) return;
    this.waiting.delete(reply.id);
    // Idle, the thread must not keep a process alive (a CLI command that is done).
    if (this.waiting.size === 0 && !this.closing) this.worker?.unref();
    if (reply.ok && reply.commits !== undefined) {
      // The replies of one group come together and carry the same commit number.
      this.stats.batches++;
      if (reply.commits !== this.lastCommit) this.stats.commits++;
      this.lastCommit = reply.commits;
    }
    if (reply.ok) w.resolve(reply.result as never);
    else w.reject(translated(Object.assign(new Error(reply.error.message), { code: reply.error.code })));
  }

  private lost(worker: Worker, cause: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.lastCommit = 0; // a new thread counts from 1 again
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(Object.assign(new StorageUnavailableError('writer thread stopped'), { cause }));
  }
}
