// Configuration read from the environment: which reverse proxies are believed (issue 10, item 6).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

test('MAILTALLY_TRUST_PROXY takes a list of proxy addresses and CIDRs', () => {
  assert.deepEqual(loadConfig({}).trustProxy, []);
  assert.deepEqual(loadConfig({ MAILTALLY_TRUST_PROXY: 'false' }).trustProxy, []);
  assert.deepEqual(loadConfig({ MAILTALLY_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback' }).trustProxy, ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
});

test('MAILTALLY_TRUST_PROXY=true is refused with a message saying what to set instead', () => {
  for (const value of ['true', 'TRUE', '1']) {
    assert.throws(() => loadConfig({ MAILTALLY_TRUST_PROXY: value }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /any client choose its address/);
      assert.match(err.message, /MAILTALLY_TRUST_PROXY=127\.0\.0\.1,10\.0\.0\.0\/8/);
      return true;
    });
  }
});

test('a list entry that is not an address, a CIDR or a known name is refused, naming it', () => {
  for (const bad of ['10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/8', '::1/129', '*']) {
    assert.throws(() => loadConfig({ MAILTALLY_TRUST_PROXY: `127.0.0.1,${bad}` }), new RegExp(`"${bad.replace(/[.*/]/g, '\\$&')}" is not an IP address`));
  }
});
