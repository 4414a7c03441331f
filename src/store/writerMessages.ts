// The messages between the store and its writer thread (sqliteWriter.ts ↔ sqliteWriterThread.ts).
import type { WireEvents } from './batchWire.js';
import type { BatchCustomer, WriteOptions } from './sqliteWrites.js';
import type { BatchResult, Rejection } from './types.js';

export interface WriterStart {
  path: string;
  options: WriteOptions;
}

export type WriterRequest =
  | { id: number; op: 'apply'; customer: BatchCustomer; events: WireEvents; count: number; rejected: readonly Rejection[]; nowMs: number; resolved: readonly number[] }
  | { id: number; op: 'pruneExpired' | 'pruneQuarantine'; cutoffMs: number; limit: number }
  | { id: number; op: 'close' };

export interface WireError {
  message: string;
  code?: string | undefined;
}

/** `commits`: the thread's group commits so far, on batch replies (for /metrics). */
export type WriterReply = { id: number; ok: true; result: BatchResult | number | null; commits?: number } | { id: number; ok: false; error: WireError };
