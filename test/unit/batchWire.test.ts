// A batch crosses to the SQLite writer thread packed (store/batchWire.ts): what arrives must be
// the very events that left, field for field — a field lost on the way would be a count lost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type NormalizedEvent, validateEvent } from '../../src/domain/events.js';
import { packEvents, unpackEvents } from '../../src/store/batchWire.js';

function ev(raw: Record<string, unknown>, provider?: string): NormalizedEvent {
  const v = validateEvent(raw, 'America/New_York');
  if (!v.ok) throw new Error(v.error);
  return provider ? { ...v.event, provider } : v.event;
}

test('packed events unpack to the same events (fingerprints, markers, categories, provider, suppression)', () => {
  const t = 1_700_000_000;
  const events = [
    ev({ event: 'open', timestamp: t, email: 'a@x.test', sg_message_id: 'm1.filter', category: ['news', 'ünïcødé 🎉', ''] }),
    ev({ event: 'click', timestamp: t + 1, email: 'b@x.test', 'smtp-id': '<s@x>', url: 'https://x.test/' }, 'mailgun'),
    ev({ event: 'bounce', timestamp: t + 2, email: 'C@X.test', type: 'bounce', status: '5.1.1', reason: 'no such user \u2028 "quoted"' }),
    ev({ event: 'spamreport', timestamp: t + 3, email: 'd@x.test', sg_event_id: 'key-1' }, 'postmark'),
    ev({ event: 'processed', timestamp: t + 4 }),
  ];
  const wire = packEvents(events);
  // What postMessage does to it, the fingerprints' buffer transferred.
  const received = structuredClone(wire, { transfer: [wire.fingerprints.buffer as ArrayBuffer] });
  const back = unpackEvents(received);
  assert.equal(back.length, events.length);
  back.forEach((e, i) => {
    const sent = events[i] as NormalizedEvent;
    assert.ok(Buffer.isBuffer(e.fingerprint) && e.fingerprint.equals(sent.fingerprint), `fingerprint ${i}`);
    if (sent.unique) assert.ok(e.unique && Buffer.isBuffer(e.unique.message) && e.unique.message.equals(sent.unique.message) && e.unique.kind === sent.unique.kind);
    else assert.equal(e.unique, null);
    const plain = (x: NormalizedEvent): unknown => ({ ...x, fingerprint: null, unique: x.unique?.kind ?? null });
    assert.deepEqual(plain(e), plain(sent), `event ${i}`);
  });
  assert.ok(back[2]?.suppression, 'the bounce carries its suppression-list entry');
});

test('an empty batch packs and unpacks to nothing', () => {
  assert.deepEqual(unpackEvents(packEvents([])), []);
});
