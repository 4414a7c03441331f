// What a batch's rejected events become in the quarantine table, the same on both backends.
// Bounded: each stored text is cut to a maximum size (with a marker), at most the customer's cap
// of rows is written, and a payload is stored once per customer — a retried or replayed batch
// does not add its rejected events again. Pure.
import { createHash } from 'node:crypto';

export interface QuarantineLimits {
  /** Rows kept per customer; beyond it the oldest are dropped. */
  maxPerCustomer: number;
  /** A payload longer than this (UTF-8 bytes) is stored cut, with a marker. */
  payloadBytes: number;
}

/** SendGrid limits a message's custom args to 10,000 bytes, so a real event fits in 16 KiB. */
export const DEFAULT_QUARANTINE_LIMITS: Readonly<QuarantineLimits> = Object.freeze({ maxPerCustomer: 10_000, payloadBytes: 16 * 1024 });

export interface QuarantineRow {
  index: number;
  reason: string;
  payload: string;
  /** SHA-256 of the whole payload as received: the row's identity within the customer. */
  digest: Buffer;
}

export const TRUNCATION_MARKER = '… [cut by mailtally: ';

/** The payload cut at a character boundary to at most `max` bytes, then the marker. */
export function truncatePayload(payload: string, max: number): string {
  if (payload.length * 3 <= max) return payload;
  const bytes = Buffer.from(payload, 'utf8');
  if (bytes.length <= max) return payload;
  let cut = max;
  while (cut > 0 && ((bytes[cut] as number) & 0xc0) === 0x80) cut--; // not inside a character
  return `${bytes.subarray(0, cut).toString('utf8')}${TRUNCATION_MARKER}${bytes.length} bytes in all]`;
}

export function quarantineRows(rejected: ReadonlyArray<{ index: number; error: string; payload: string }>, limits: QuarantineLimits): QuarantineRow[] {
  const seen = new Set<string>();
  const rows: QuarantineRow[] = [];
  for (const r of rejected) {
    const digest = createHash('sha256').update(r.payload).digest();
    const key = digest.toString('base64');
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({ index: r.index, reason: r.error, payload: truncatePayload(r.payload, limits.payloadBytes), digest });
  }
  // Only the newest rows could stay: writing the others would only have them deleted again.
  return rows.length > limits.maxPerCustomer ? rows.slice(rows.length - limits.maxPerCustomer) : rows;
}
