// Connection accounting (issue 10, item 7): per-address counting (IPv6 per /64), the total cap,
// idle connections shed oldest first under pressure and busy ones never. The listening server
// itself is tested in test/cli/connections.test.ts; from 127.0.0.1 a test cannot vary the client
// address, so the per-address rules are shown here.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientKey } from '../../src/domain/clientAddress.js';
import { ConnectionTable } from '../../src/http/connections.js';

describe('clientKey', () => {
  test('IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
    assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('2001:db8:0:1::5'), '2001:db8:0:1::/64');
    assert.equal(clientKey('2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd'), '2001:db8:0:1::/64');
    assert.notEqual(clientKey('2001:db8:0:2::5'), clientKey('2001:db8:0:1::5'));
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(clientKey(undefined), 'unknown');
  });
});

describe('ConnectionTable', () => {
  const never = (): void => assert.fail('nothing should be evicted');

  test('an address at its cap is refused; others are not; a closed connection frees its place', () => {
    const t = new ConnectionTable<string>({ maxConnections: 100, maxPerAddress: 2 });
    assert.equal(t.admit('a1', 'A', never), undefined);
    assert.equal(t.admit('a2', 'A', never), undefined);
    assert.equal(t.admit('a3', 'A', never), 'address');
    assert.equal(t.admit('b1', 'B', never), undefined);
    assert.equal(t.countOf('A'), 2);
    t.forget('a1');
    assert.equal(t.countOf('A'), 1);
    assert.equal(t.admit('a3', 'A', never), undefined);
    assert.equal(t.size, 3);
  });

  test('maxPerAddress 0 means no per-address cap', () => {
    const t = new ConnectionTable<number>({ maxConnections: 1000, maxPerAddress: 0 });
    for (let i = 0; i < 500; i++) assert.equal(t.admit(i, 'A', never), undefined);
    assert.equal(t.countOf('A'), 500);
  });

  test('under pressure the longest-idle connections make room; busy ones are never evicted', () => {
    const t = new ConnectionTable<string>({ maxConnections: 10, maxPerAddress: 0 });
    const evicted: string[] = [];
    const evict = (c: string): void => void evicted.push(c);
    for (let i = 0; i < 8; i++) assert.equal(t.admit(`c${i}`, `K${i}`, evict), undefined);
    assert.deepEqual(evicted, [], 'below 80 % nothing is shed');
    t.requestStarted('c0'); // busy: never shed
    t.requestStarted('c1');
    t.requestEnded('c1'); // idle again, now the most recently idle
    assert.equal(t.admit('n1', 'N', evict), undefined);
    assert.deepEqual(evicted, ['c2'], 'the longest-idle one goes first; c0 is busy, c1 idle only since just now');
    assert.equal(t.size, 8);
    assert.equal(t.countOf('K2'), 0, 'an evicted connection no longer counts for its address');
  });

  test('when every connection is busy, a new one beyond the cap is refused', () => {
    const t = new ConnectionTable<number>({ maxConnections: 3, maxPerAddress: 0 });
    for (let i = 0; i < 3; i++) {
      t.admit(i, 'A', never);
      t.requestStarted(i);
    }
    assert.equal(t.admit(3, 'B', never), 'total');
    assert.equal(t.size, 3);
  });
});
