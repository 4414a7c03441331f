// A batch's events as they cross to the writer thread. Cloned as objects, each 16-byte Buffer
// fingerprint would copy the whole 8 KiB pool slab it is a view of, and a thousand small objects
// cost more to clone than to validate; packed, the fingerprints travel as one transferred buffer
// and everything else as one JSON string (a flat copy), decoded on the writer's side.
import type { NormalizedEvent } from '../domain/events.js';

export interface WireEvents {
  /** Every event's fingerprint, back to back. */
  fingerprints: Uint8Array;
  /** JSON of one tuple per event (see pack). */
  rest: string;
}

type Tuple = [
  event: NormalizedEvent['event'],
  timestamp: number,
  day: number,
  categories: string[],
  metrics: NormalizedEvent['metrics'],
  fingerprintLength: number,
  uniqueKind: 'open' | 'click' | null,
  uniqueMessage: string | null,
  provider: string | null,
  suppression: NormalizedEvent['suppression'] | null,
];

export function packEvents(events: readonly NormalizedEvent[]): WireEvents {
  let bytes = 0;
  for (const e of events) bytes += e.fingerprint.length;
  const fingerprints = Buffer.allocUnsafeSlow(bytes); // its own ArrayBuffer: transferable
  let at = 0;
  const tuples = events.map((e): Tuple => {
    e.fingerprint.copy(fingerprints, at);
    at += e.fingerprint.length;
    return [e.event, e.timestamp, e.day, e.categories, e.metrics, e.fingerprint.length, e.unique?.kind ?? null, e.unique ? e.unique.message.toString('base64') : null, e.provider ?? null, e.suppression ?? null];
  });
  return { fingerprints, rest: JSON.stringify(tuples) };
}

export function unpackEvents(wire: WireEvents): NormalizedEvent[] {
  const all = Buffer.from(wire.fingerprints.buffer, wire.fingerprints.byteOffset, wire.fingerprints.byteLength);
  let at = 0;
  return (JSON.parse(wire.rest) as Tuple[]).map(([event, timestamp, day, categories, metrics, fpLength, kind, message, provider, suppression]) => {
    const fingerprint = all.subarray(at, at + fpLength);
    at += fpLength;
    const e: NormalizedEvent = { event, timestamp, day, categories, metrics, fingerprint, unique: kind === null ? null : { kind, message: Buffer.from(message ?? '', 'base64') } };
    if (provider !== null) e.provider = provider;
    if (suppression !== null && suppression !== undefined) e.suppression = suppression;
    return e;
  });
}
