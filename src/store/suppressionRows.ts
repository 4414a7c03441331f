// What both backends' suppression-list code shares: the columns read, the row → entry mapping
// (PostgreSQL returns BIGINT as a string, SQLite as a number) and the slicing constants.
import type { SuppressionEntry } from '../domain/suppression.js';

export interface EntryRow {
  email: string;
  status: string;
  reason: string;
  first_added: number | string;
  created: number | string;
}

export const toEntry = (r: EntryRow): SuppressionEntry => ({ email: r.email, status: r.status, reason: r.reason, firstAdded: Number(r.first_added), created: Number(r.created) });

export const COLUMNS = 'email, status, reason, first_added, created';
/** Later than any `created` (the keyset of a first page, the open end of a range). */
export const NEVER = Number.MAX_SAFE_INTEGER;
/** Rows deleted per transaction by a whole-list delete: the writer lock is held only briefly. */
export const DELETE_CHUNK = 5_000;
/** Quarantined payloads read per statement when looking for deleted addresses. */
export const QUARANTINE_SLICE = 500;
