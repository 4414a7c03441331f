// SendGrid Event Webhook events → validated, normalised events (SPEC sections 4 and 5): what is
// valid, the day an event belongs to, its fingerprint and the message that decides uniqueness.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDay } from '../../src/domain/calendar.js';
import { EVENT_TYPES, type NormalizedEvent, validateEvent } from '../../src/domain/events.js';

const at = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
const T = at('2021-06-15T12:00:00Z');

const base = {
  email: 'alice@example.com',
  timestamp: T,
  'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>',
  event: 'processed',
  category: ['newsletter'],
  sg_event_id: 'sg-event-1',
  sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0',
};

function valid(raw: unknown, timeZone = 'UTC'): NormalizedEvent {
  const v = validateEvent(raw, timeZone);
  if (!v.ok) assert.fail(`expected a valid event, got "${v.error}" for ${JSON.stringify(raw)}`);
  return v.event;
}

function rejected(raw: unknown): string {
  const v = validateEvent(raw, 'UTC');
  if (v.ok) assert.fail(`expected a rejection for ${JSON.stringify(raw)}`);
  assert.ok(v.error.length > 0, 'a rejection carries a reason');
  return v.error;
}

const hex = (e: NormalizedEvent): string => e.fingerprint.toString('hex');

describe('event types', () => {
  test('the eleven SendGrid message types and the account event are valid', () => {
    assert.deepEqual(
      [...EVENT_TYPES].sort(),
      ['account_status_change', 'bounce', 'click', 'deferred', 'delivered', 'dropped', 'group_resubscribe', 'group_unsubscribe', 'open', 'processed', 'spamreport', 'unsubscribe'],
    );
    for (const event of EVENT_TYPES) assert.equal(valid({ ...base, event }).event, event);
  });

  test('anything else is rejected with a reason about `event`', () => {
    for (const event of ['Open', 'opened', 'bounced', 'spam_report', 'unknown', '', ' open', 5, true, ['open'], { open: 1 }]) {
      assert.match(rejected({ ...base, event }), /^event: /, JSON.stringify(event));
    }
  });

  test('a missing event is rejected', () => {
    const { event: _omit, ...rest } = base;
    assert.match(rejected(rest), /^event: /);
    assert.match(rejected({ ...base, event: null }), /^event: /);
  });

  test('a non-object is rejected', () => {
    for (const raw of [null, undefined, 'open', 42, [], [base]]) assert.ok(rejected(raw), JSON.stringify(raw));
  });
});

describe('timestamp', () => {
  test('integer unix seconds are kept', () => {
    assert.equal(valid({ ...base, timestamp: 1_623_758_400 }).timestamp, 1_623_758_400);
    assert.equal(valid({ ...base, timestamp: 0 }).timestamp, 0);
  });

  test('a value above 10^11 is read as milliseconds', () => {
    assert.equal(valid({ ...base, timestamp: 1_623_758_400_123 }).timestamp, 1_623_758_400);
    assert.equal(valid({ ...base, timestamp: 1_623_758_400_000 }).timestamp, 1_623_758_400);
    assert.equal(valid({ ...base, timestamp: 100_000_000_001 }).timestamp, 100_000_000);
  });

  test('10^11 itself is still seconds', () => {
    assert.equal(valid({ ...base, timestamp: 100_000_000_000 }).timestamp, 100_000_000_000);
  });

  test('milliseconds land on the same day as the equivalent seconds', () => {
    const s = at('2021-06-14T18:30:00Z');
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/Los_Angeles']) {
      assert.equal(valid({ ...base, timestamp: s * 1000 + 999 }, zone).day, valid({ ...base, timestamp: s }, zone).day, zone);
    }
  });

  test('non-integers, strings and other types are rejected', () => {
    for (const timestamp of [1_623_758_400.5, 0.1, '1623758400', '2021-06-15T12:00:00Z', true, [T], { t: T }, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.match(rejected({ ...base, timestamp }), /^timestamp: /, String(timestamp));
    }
  });

  test('negative, or so late that some zone would be past 9999-12-31, is out of range', () => {
    // Such instants can only be written in milliseconds: above 10^11 a timestamp is read as ms.
    const last = at('9999-12-30T00:00:00Z');
    assert.equal(formatDay(valid({ ...base, timestamp: last * 1000 }, 'Pacific/Kiritimati').day), '9999-12-30');
    assert.equal(rejected({ ...base, timestamp: (last + 1) * 1000 }), 'timestamp: out of range');
    assert.equal(rejected({ ...base, timestamp: -1 }), 'timestamp: out of range');
  });

  test('a missing timestamp is rejected', () => {
    const { timestamp: _omit, ...rest } = base;
    assert.match(rejected(rest), /^timestamp: /);
    assert.match(rejected({ ...base, timestamp: null }), /^timestamp: /);
  });
});

describe('the day of an event', () => {
  const cases: Array<[string, string, string]> = [
    ['2021-06-15T12:00:00Z', 'UTC', '2021-06-15'],
    ['2021-06-14T18:29:59Z', 'Asia/Kolkata', '2021-06-14'],
    ['2021-06-14T18:30:00Z', 'Asia/Kolkata', '2021-06-15'],
    ['2021-06-14T18:15:00Z', 'Asia/Kathmandu', '2021-06-15'],
    ['2021-06-15T06:59:59Z', 'America/Los_Angeles', '2021-06-14'],
    ['2021-06-15T07:00:00Z', 'America/Los_Angeles', '2021-06-15'],
    ['2021-03-14T04:59:59Z', 'America/New_York', '2021-03-13'],
    ['2021-11-08T04:59:59Z', 'America/New_York', '2021-11-07'],
    ['2021-10-31T22:59:59Z', 'Europe/Berlin', '2021-10-31'],
  ];
  for (const [iso, zone, expected] of cases) {
    test(`${iso} in ${zone} is ${expected}`, () => {
      assert.equal(formatDay(valid({ ...base, timestamp: at(iso) }, zone).day), expected);
    });
  }
});

describe('category', () => {
  const categories = (category: unknown): string[] => valid({ ...base, category }).categories;

  test('absent, a string, or an array of strings', () => {
    const { category: _omit, ...rest } = base;
    assert.deepEqual(valid(rest).categories, []);
    assert.deepEqual(categories('news'), ['news']);
    assert.deepEqual(categories(['news', 'promo']), ['news', 'promo']);
    assert.deepEqual(categories([]), []);
  });

  test('distinct names in the order given, matched case-sensitively', () => {
    assert.deepEqual(categories(['b', 'a', 'b', 'B']), ['b', 'a', 'B']);
  });

  test('Unicode names are kept intact', () => {
    assert.deepEqual(categories(['Ünïcödé', '日本語', '😀 party', 'a&b<c>']), ['Ünïcödé', '日本語', '😀 party', 'a&b<c>']);
  });

  test('at most 10 per event', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `c${i}`);
    assert.deepEqual(categories(ten), ten);
    assert.match(rejected({ ...base, category: [...ten, 'c10'] }), /^category: /);
  });

  test('at most 255 characters each, counted as characters, not UTF-16 units', () => {
    assert.deepEqual(categories('x'.repeat(255)), ['x'.repeat(255)]);
    assert.deepEqual(categories(['x'.repeat(255)]), ['x'.repeat(255)]);
    assert.match(rejected({ ...base, category: 'x'.repeat(256) }), /^category: /);
    assert.match(rejected({ ...base, category: ['ok', 'x'.repeat(256)] }), /^category: /);
    const emoji = '😀'.repeat(255);
    assert.equal(emoji.length, 510);
    assert.deepEqual(categories([emoji]), [emoji]);
    assert.deepEqual(categories('日'.repeat(255)), ['日'.repeat(255)]);
    assert.match(rejected({ ...base, category: '😀'.repeat(256) }), /^category: /);
  });

  test('anything but a string or an array of strings is rejected', () => {
    for (const category of [5, true, { a: 'b' }, ['a', 5], ['a', null], [['a']]]) {
      assert.match(rejected({ ...base, category }), /^category: /, JSON.stringify(category));
    }
  });
});

describe('unknown extra fields', () => {
  test('are ignored, and do not change the fingerprint', () => {
    const plain = valid(base);
    const extra = valid({ ...base, marketing_campaign_id: 12, customer_ref: { nested: [1, 2] }, ip: '192.0.2.1', useragent: 'Mozilla', asm_group_id: 3 });
    assert.deepEqual(extra, plain);
  });
});

describe('custom args named like SendGrid fields (issue 11 item 1)', () => {
  // SendGrid flattens custom args into the event; its own field wins only where it defines one.
  const collisions: Record<string, unknown> = { type: 1, url: 42, reason: true, status: 500, response: ['x'], attempt: 3, tls: { on: 1 }, sg_machine_open: 'yes', 'smtp-id': 7 };
  const wherever: Record<string, string[]> = {
    type: ['processed', 'delivered', 'deferred', 'open', 'click', 'spamreport', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe', 'dropped'],
    url: ['processed', 'dropped', 'delivered', 'deferred', 'bounce', 'open', 'spamreport', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe', 'account_status_change'],
    reason: ['processed', 'delivered', 'deferred', 'open', 'click', 'spamreport', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe', 'account_status_change'],
  };

  test('type, url and reason of any JSON type are ignored on the types that do not define them', () => {
    for (const [field, events] of Object.entries(wherever)) {
      for (const event of events) {
        for (const value of [1, 42.5, true, false, ['a'], { a: 1 }, 'text']) {
          const plain = valid({ ...base, event, type: event === 'bounce' ? 'bounce' : undefined });
          const withArg = valid({ ...base, event, type: event === 'bounce' ? 'bounce' : undefined, [field]: value });
          if (event === 'dropped' && field === 'type' && typeof value === 'string') continue; // SPEC 4: a drop's string type is identity
          assert.deepEqual(withArg, plain, `${field}=${JSON.stringify(value)} on ${event}`);
        }
      }
    }
  });

  test('the issue\'s examples are counted: delivered with type 1, open with url 42, processed with reason true', () => {
    assert.deepEqual(valid({ ...base, event: 'delivered', type: 1 }).metrics, ['delivered']);
    assert.deepEqual(valid({ ...base, event: 'open', url: 42 }).metrics, ['opens']);
    assert.deepEqual(valid({ ...base, event: 'processed', reason: true }).metrics, ['requests', 'processed']);
  });

  test('every other SendGrid field name with a non-string value rejects nothing', () => {
    for (const event of EVENT_TYPES) {
      const extra = Object.fromEntries(Object.entries(collisions).filter(([k]) => !(k === 'type' && (event === 'bounce' || event === 'account_status_change')) && !(k === 'url' && event === 'click') && !(k === 'reason' && (event === 'bounce' || event === 'dropped'))));
      valid({ ...base, event, ...extra });
    }
  });

  test('a non-string smtp-id on an open is a custom arg: the message is keyed as if it were absent', () => {
    const { sg_message_id: _m, 'smtp-id': _s, ...bare } = base;
    const open = { ...bare, event: 'open' };
    assert.deepEqual(valid({ ...open, 'smtp-id': 7 }).unique, valid(open).unique);
  });

  test('where SendGrid defines them they still decide metrics and identity, and must be strings', () => {
    assert.equal(rejected({ ...base, event: 'bounce', type: 1 }), 'type: must be a string');
    assert.equal(rejected({ ...base, event: 'bounce', reason: 5 }), 'reason: must be a string');
    assert.equal(rejected({ ...base, event: 'dropped', reason: false }), 'reason: must be a string');
    assert.equal(rejected({ ...base, event: 'click', url: 42 }), 'url: must be a string');
    assert.equal(rejected({ ...base, event: 'account_status_change', type: 3 }), 'type: must be a string');
    assert.equal(rejected({ ...base, email: 5 }), 'email: must be a string');
    assert.equal(rejected({ ...base, sg_message_id: ['m'] }), 'sg_message_id: must be a string');
  });

  test('machine opens: sg_machine_open counts on opens only, whatever it is elsewhere', () => {
    assert.deepEqual(valid({ ...base, event: 'delivered', sg_machine_open: true }).metrics, ['delivered']);
    assert.deepEqual(valid({ ...base, event: 'open', sg_machine_open: 'true' }).metrics, ['opens']);
  });
});

describe('account events (issue 11 item 2)', () => {
  // As Twilio's Event Webhook reference shows them: no email, no message id, no category.
  const account = { event: 'account_status_change', sg_event_id: 'MjEzNTg5OTcyOC10ZXJtaW5hdGUtMTcwNzg1MTUzMQ', timestamp: 1709142428, type: 'compliance_suspend' };

  test('are valid and change no metric', () => {
    const e = valid(account);
    assert.deepEqual(e.metrics, []);
    assert.equal(e.unique, null);
    assert.deepEqual(e.categories, []);
  });

  test('two changes in the same second are two events; a retry with a new sg_event_id is one', () => {
    const a = hex(valid(account));
    assert.notEqual(hex(valid({ ...account, type: 'compliance_reactivate' })), a);
    assert.equal(hex(valid({ ...account, sg_event_id: 'other' })), a);
  });
});

describe('fingerprint', () => {
  test('is 16 bytes and stable', () => {
    assert.equal(valid(base).fingerprint.length, 16);
    assert.equal(hex(valid(base)), hex(valid({ ...base })));
  });

  test('identical for retries that differ only in sg_event_id (or a missing one)', () => {
    const { sg_event_id: _omit, ...withoutId } = base;
    const a = hex(valid({ ...base, sg_event_id: 'first-try' }));
    assert.equal(hex(valid({ ...base, sg_event_id: 'second-try' })), a);
    assert.equal(hex(valid(withoutId)), a);
  });

  test('differs when event, timestamp, sg_message_id or email differ', () => {
    const a = hex(valid(base));
    assert.notEqual(hex(valid({ ...base, event: 'delivered' })), a, 'event');
    assert.notEqual(hex(valid({ ...base, timestamp: T + 1 })), a, 'timestamp');
    assert.notEqual(hex(valid({ ...base, sg_message_id: 'other' })), a, 'sg_message_id');
    assert.notEqual(hex(valid({ ...base, email: 'bob@example.com' })), a, 'email');
    const { sg_message_id: _m, ...noMessageId } = base;
    assert.notEqual(hex(valid(noMessageId)), a, 'sg_message_id absent');
  });

  test('url matters for clicks only', () => {
    const click = { ...base, event: 'click', url: 'https://example.com/a' };
    assert.notEqual(hex(valid({ ...click, url: 'https://example.com/b' })), hex(valid(click)));
    const open = { ...base, event: 'open', url: 'https://example.com/a' };
    assert.equal(hex(valid({ ...open, url: 'https://example.com/b' })), hex(valid(open)));
  });

  test('type and reason matter for bounces and drops only', () => {
    const bounce = { ...base, event: 'bounce', type: 'bounce', reason: '550 mailbox unknown' };
    assert.notEqual(hex(valid({ ...bounce, type: 'blocked' })), hex(valid(bounce)), 'bounce type');
    assert.notEqual(hex(valid({ ...bounce, reason: '552 mailbox full' })), hex(valid(bounce)), 'bounce reason');
    const dropped = { ...base, event: 'dropped', reason: 'Bounced Address' };
    assert.notEqual(hex(valid({ ...dropped, reason: 'Invalid' })), hex(valid(dropped)), 'dropped reason');
    for (const event of ['delivered', 'deferred', 'open', 'click']) {
      const other = { ...base, event, type: 'x', reason: 'one' };
      assert.equal(hex(valid({ ...other, type: 'y', reason: 'two' })), hex(valid(other)), event);
    }
  });

  test('fields outside the fingerprint do not matter: category, smtp-id, response, attempt', () => {
    const deferred = { ...base, event: 'deferred', response: '400 try again', attempt: '1' };
    const a = hex(valid(deferred));
    assert.equal(hex(valid({ ...deferred, category: ['other'] })), a, 'category');
    assert.equal(hex(valid({ ...deferred, 'smtp-id': '<other@host>' })), a, 'smtp-id');
    assert.equal(hex(valid({ ...deferred, response: '421 later', attempt: '2' })), a, 'response/attempt');
  });
});

describe('unique message key', () => {
  const open = { ...base, event: 'open' };
  const message = (raw: unknown): string => {
    const u = valid(raw).unique;
    assert.ok(u, 'opens and clicks carry a message key');
    return `${u.kind}:${u.message.toString('hex')}`;
  };

  test('only opens and clicks have one', () => {
    assert.equal(valid({ ...base, event: 'open' }).unique?.kind, 'open');
    assert.equal(valid({ ...base, event: 'click' }).unique?.kind, 'click');
    for (const event of EVENT_TYPES.filter((e) => e !== 'open' && e !== 'click')) assert.equal(valid({ ...base, event }).unique, null, event);
  });

  test('is the sg_message_id when present, whatever the email, smtp-id and timestamp', () => {
    const a = message(open);
    assert.equal(message({ ...open, email: 'bob@example.com', 'smtp-id': '<other@host>', timestamp: T + 3600 }), a);
    assert.notEqual(message({ ...open, sg_message_id: 'another-message' }), a);
  });

  test('is email + smtp-id when sg_message_id is absent', () => {
    const { sg_message_id: _omit, ...noId } = open;
    const a = message(noId);
    assert.equal(message({ ...noId, timestamp: T + 60, sg_event_id: 'x' }), a);
    assert.notEqual(message({ ...noId, 'smtp-id': '<other@host>' }), a, 'smtp-id');
    assert.notEqual(message({ ...noId, email: 'bob@example.com' }), a, 'email');
  });

  test('an open and a click of one message share the message but not the kind', () => {
    const o = valid(open).unique;
    const c = valid({ ...base, event: 'click' }).unique;
    assert.ok(o && c);
    assert.equal(o.message.toString('hex'), c.message.toString('hex'));
    assert.notEqual(o.kind, c.kind);
  });
});

describe('metrics carried by the event', () => {
  test('machine opens are flagged only by sg_machine_open = true', () => {
    assert.deepEqual(valid({ ...base, event: 'open', sg_machine_open: true }).metrics.slice().sort(), ['machine_opens', 'opens']);
    assert.deepEqual(valid({ ...base, event: 'open', sg_machine_open: false }).metrics, ['opens']);
    assert.deepEqual(valid({ ...base, event: 'open' }).metrics, ['opens']);
  });

  test('bounce type and drop reason are read from the event', () => {
    assert.deepEqual(valid({ ...base, event: 'bounce' }).metrics, ['bounces']);
    assert.deepEqual(valid({ ...base, event: 'bounce', type: 'blocked' }).metrics, ['blocks']);
    assert.deepEqual(valid({ ...base, event: 'dropped', reason: 'Spam Content' }).metrics.slice().sort(), ['requests', 'spam_drop']);
  });
});
