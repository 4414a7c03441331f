// The one gate every slow key check passes (issue 10, item 3): attempts counted before the
// check, concurrency capped per address and per process, identical credentials hashed once,
// IPv6 counted per /64.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientKey } from '../../src/domain/clientAddress.js';
import { DEFAULT_GATE_LIMITS, KeyCheckGate } from '../../src/auth/keyCheckGate.js';
import { ApiError } from '../../src/domain/errors.js';

/** A key check that finishes when told to. */
function pending<T>(): { check: () => Promise<T>; finish(v: T): void; started: () => boolean } {
  let resolve: (v: T) => void = () => undefined;
  let started = false;
  const promise = new Promise<T>((r) => (resolve = r));
  return {
    check: () => ((started = true), promise),
    finish: (v) => resolve(v),
    started: () => started,
  };
}

const statusOf = async (p: Promise<unknown>): Promise<number | 'ok' | 'wrong'> => {
  try {
    return (await p) === null ? 'wrong' : 'ok';
  } catch (err) {
    if (err instanceof ApiError) return err.status;
    throw err;
  }
};

test('simultaneous guesses from one address: only checksPerAddress start, the rest are 429 at once', async () => {
  const gate = new KeyCheckGate({ ...DEFAULT_GATE_LIMITS, checksPerAddress: 2 });
  const checks = Array.from({ length: 10 }, () => pending<null>());
  const results = checks.map((c, i) => statusOf(gate.check('198.51.100.7', 'r1', `guess-${i}`, c.check)));
  assert.deepEqual(checks.map((c) => c.started()), [true, true, false, false, false, false, false, false, false, false]);
  for (const c of checks) c.finish(null);
  assert.deepEqual(await Promise.all(results), ['wrong', 'wrong', 429, 429, 429, 429, 429, 429, 429, 429]);
});

test('an attempt counts before its check finishes, so a burst cannot exceed the budget', async () => {
  const gate = new KeyCheckGate({ ...DEFAULT_GATE_LIMITS, failuresPerAddress: 3, checksPerAddress: 10, concurrentChecks: 10 });
  const checks = Array.from({ length: 5 }, () => pending<null>());
  const results = checks.map((c, i) => statusOf(gate.check('198.51.100.7', undefined, `guess-${i}`, c.check)));
  for (const c of checks) c.finish(null);
  assert.deepEqual(await Promise.all(results), ['wrong', 'wrong', 'wrong', 429, 429]);
  assert.equal(await statusOf(gate.check('198.51.100.7', undefined, 'later', async () => 'x')), 429, 'the minute is used up');
});

test('a right key is forgiven: the owner never uses up its own budget', async () => {
  const gate = new KeyCheckGate({ ...DEFAULT_GATE_LIMITS, failuresPerAddress: 3 });
  for (let i = 0; i < 10; i++) assert.equal(await statusOf(gate.check('203.0.113.5', 'r1', `right-${i}`, async () => 'reseller')), 'ok');
});

test('the process runs at most concurrentChecks, queues queuedChecks, and answers 503 beyond', async () => {
  const gate = new KeyCheckGate({ ...DEFAULT_GATE_LIMITS, concurrentChecks: 1, queuedChecks: 1 });
  const [a, b, c] = [pending<string>(), pending<string>(), pending<string>()];
  const ra = statusOf(gate.check('192.0.2.1', 'r1', 'a', a.check));
  const rb = statusOf(gate.check('192.0.2.2', 'r2', 'b', b.check));
  const rc = statusOf(gate.check('192.0.2.3', 'r3', 'c', c.check));
  assert.deepEqual([a.started(), b.started(), c.started()], [true, false, false]);
  assert.deepEqual(gate.load, { running: 1, waiting: 1 });
  assert.equal(await rc, 503);
  a.finish('ok');
  assert.equal(await ra, 'ok');
  assert.equal(b.started(), true, 'the waiter gets the slot');
  b.finish('ok');
  assert.equal(await rb, 'ok');
  assert.deepEqual(gate.load, { running: 0, waiting: 0 });
});

test('the same credentials checked at once are hashed once and count as one attempt', async () => {
  const gate = new KeyCheckGate({ ...DEFAULT_GATE_LIMITS, failuresPerAddress: 4, checksPerAddress: 1 });
  let runs = 0;
  const check = pending<null>();
  const slow = () => (runs++, check.check());
  const results = Array.from({ length: 6 }, () => statusOf(gate.check('198.51.100.9', 'r1', 'same', slow)));
  check.finish(null);
  assert.equal(runs, 1);
  assert.deepEqual(await Promise.all(results), ['wrong', 'wrong', 'wrong', 'wrong', 'wrong', 'wrong']);
  // One guess was counted, not six: three more distinct guesses fit the budget of four, a fifth does not.
  for (const key of ['g2', 'g3', 'g4']) assert.equal(await statusOf(gate.check('198.51.100.9', undefined, key, async () => null)), 'wrong');
  assert.equal(await statusOf(gate.check('198.51.100.9', undefined, 'g5', async () => null)), 429);
});

test('a burst of requests with the right key on a cold cache is never throttled (a sender after a restart)', async () => {
  const gate = new KeyCheckGate({ ...DEFAULT_GATE_LIMITS, failuresPerAddress: 20 });
  const check = pending<string>();
  const results = Array.from({ length: 100 }, () => statusOf(gate.check('198.51.100.10', 'r1', 'right', () => check.check())));
  check.finish('ok');
  assert.deepEqual(new Set(await Promise.all(results)), new Set(['ok']));
});

test('IPv6 is counted per /64, IPv4-mapped IPv6 as the IPv4 address', () => {
  assert.equal(clientKey('192.0.2.1'), '192.0.2.1');
  assert.equal(clientKey('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(clientKey('::ffff:c000:201'), '192.0.2.1');
  assert.equal(clientKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8:1:2::9'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:0db8:0001:0002:ffff::1.2.3.4'), '2001:db8:1:2::/64');
  assert.notEqual(clientKey('2001:db8:1:3::1'), clientKey('2001:db8:1:2::1'));
  assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(clientKey('::1'), '0:0:0:0::/64');
  assert.equal(clientKey('not an address'), 'not an address');
});

test('one /64 shares one budget across its addresses', async () => {
  const gate = new KeyCheckGate({ ...DEFAULT_GATE_LIMITS, failuresPerAddress: 2 });
  assert.equal(await statusOf(gate.check('2001:db8::1', undefined, 'g1', async () => null)), 'wrong');
  assert.equal(await statusOf(gate.check('2001:db8::2', undefined, 'g2', async () => null)), 'wrong');
  assert.equal(await statusOf(gate.check('2001:db8::ffff:3', undefined, 'g3', async () => null)), 429);
  assert.equal(await statusOf(gate.check('2001:db8:0:1::1', undefined, 'g4', async () => null)), 'wrong', 'the next /64 is someone else');
});

test("under distributed guessing of an api_user, its owner's parallel requests with the right key all get through", async () => {
  const gate = new KeyCheckGate({ ...DEFAULT_GATE_LIMITS, failuresPerUser: 3 });
  for (let i = 0; i < 3; i++) assert.equal(await statusOf(gate.check(`10.0.0.${i}`, 'r1', `guess-${i}`, async () => null)), 'wrong');
  const check = pending<string>();
  const owner = Array.from({ length: 5 }, () => statusOf(gate.check('203.0.113.9', 'r1', 'the-right-key', check.check)));
  check.finish('reseller');
  assert.deepEqual(await Promise.all(owner), ['ok', 'ok', 'ok', 'ok', 'ok']);
  // A guesser from another address still waits its turn.
  assert.equal(await statusOf(gate.check('10.0.0.50', 'r1', 'guess-50', async () => null)), 'wrong');
  assert.equal(await statusOf(gate.check('10.0.0.50', 'r1', 'guess-51', async () => null)), 429);
});
