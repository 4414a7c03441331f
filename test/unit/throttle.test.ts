// Failed-authentication throttling: per address refused, per api_user slowed per address, so
// distributed guessing cannot lock the real reseller out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthThrottle } from '../../src/auth/throttle.js';

const limits = { failuresPerAddress: 3, failuresPerUser: 5, userSlowdownMs: 5_000 };
const T = 1_000_000;

test('an address over its failure limit is refused until the minute ends, then let through', () => {
  const t = new AuthThrottle(limits);
  for (let i = 0; i < 3; i++) {
    assert.equal(t.refusal('1.1.1.1', 'r1', T), 0);
    t.reserve('1.1.1.1', 'r1', T);
  }
  assert.equal(t.refusal('1.1.1.1', 'r1', T + 1000), 59);
  assert.equal(t.refusal('1.1.1.1', 'someone-else', T + 1000), 59, 'whatever api_user it tries');
  assert.equal(t.refusal('2.2.2.2', 'r1', T + 1000), 0, 'other addresses are not affected');
  assert.equal(t.refusal('1.1.1.1', 'r1', T + 60_000), 0, 'a new window');
});

test('an api_user under distributed guessing is slowed per address, never locked', () => {
  const t = new AuthThrottle(limits);
  for (let i = 0; i < 5; i++) t.reserve(`10.0.0.${i}`, 'r1', T);
  // The real reseller from its own address still gets an attempt…
  assert.equal(t.refusal('192.0.2.1', 'r1', T + 10), 0);
  t.reserve('192.0.2.1', 'r1', T + 10);
  t.forgive('192.0.2.1', 'r1', T + 10);
  // …but only one every 5 s from that address,
  assert.equal(t.refusal('192.0.2.1', 'r1', T + 20), 5);
  assert.equal(t.refusal('192.0.2.1', 'r1', T + 5_010), 0);
  // and the guessers get the same one-every-5-s each.
  assert.equal(t.refusal('10.0.0.9', 'r1', T + 30), 0);
  t.reserve('10.0.0.9', 'r1', T + 30);
  assert.equal(t.refusal('10.0.0.9', 'r1', T + 40), 5);
  // Other api_users are unaffected.
  assert.equal(t.refusal('10.0.0.9', 'r2', T + 50), 0);
});
