// Issue 10, item 3, through the real listening server: a flood of simultaneous wrong keys from
// one address, spread over every door a key can come through (v1 parameters, v3 Bearer, webhook
// Basic auth, dashboard sign-in), gets at most the address's one budget of 401s and 429 for the
// rest — and a reseller signing in from another address meanwhile is still served.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { DEFAULT_GATE_LIMITS } from '../../src/auth/keyCheckGate.js';
import { type Fixture, basicAuth, fixture } from '../helpers.js';

const NOW = new Date('2024-06-01T12:00:00Z');
const BUDGET = DEFAULT_GATE_LIMITS.failuresPerAddress;

interface Call {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The four doors, each with a wrong key `guess`. */
function door(i: number, guess: string): Call {
  switch (i % 4) {
    case 0:
      return { method: 'GET', path: `/api/distributor.manage.json?api_user=r1&api_key=${guess}&method=stats&user=c1&aggregate=1` };
    case 1:
      return { method: 'GET', path: '/v3/subusers/stats/sums?start_date=2024-05-01', headers: { authorization: `Bearer ${guess}` } };
    case 2:
      return { method: 'POST', path: '/webhooks/events?user=c1', headers: { authorization: basicAuth('r1', guess), 'content-type': 'application/json' }, body: '[]' };
    default:
      return { method: 'POST', path: '/dashboard/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_user: 'r1', api_key: guess }) };
  }
}

describe('a flood of wrong keys from one address (real server)', () => {
  let f: Fixture;
  let app: FastifyInstance;
  let port: number;
  // One socket per request, as 200 separate clients would open.
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

  const send = (call: Call, localAddress = '127.0.0.1'): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, localAddress, agent, method: call.method, path: call.path, headers: call.headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(call.body);
    });

  before(async () => {
    f = await fixture(NOW);
    app = await buildApp({ store: f.store, now: () => NOW });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  after(async () => {
    agent.destroy();
    await app.close();
    await f.close();
  });

  test('200 simultaneous wrong keys: at most the budget get 401, the rest 429; another address still gets in', async () => {
    // For comparison: a cold sign-in with nothing else going on (r2, so r1 stays uncached).
    const quiet = performance.now();
    assert.equal(await send({ method: 'GET', path: '/api/distributor.manage.json?api_user=r2&api_key=key-r2-secret&method=stats&user=c2&aggregate=1' }, '127.0.0.2'), 200);
    const quietMs = performance.now() - quiet;

    const flood = Array.from({ length: 200 }, (_, i) => send(door(i, `wrong-guess-${i}`)));
    // A real reseller signing in (cold: not in the credential cache) from another address.
    const started = performance.now();
    const legit = send({ method: 'GET', path: '/api/distributor.manage.json?api_user=r1&api_key=key-r1-secret&method=stats&user=c1&aggregate=1' }, '127.0.0.2');
    const legitStatus = await legit;
    const legitMs = performance.now() - started;
    const statuses = await Promise.all(flood);
    const count = (s: number) => statuses.filter((x) => x === s).length;
    console.log(`# flood: ${count(401)} × 401, ${count(429)} × 429; legitimate sign-in from another address: ${legitStatus} in ${legitMs.toFixed(0)} ms (alone: ${quietMs.toFixed(0)} ms)`);

    assert.equal(legitStatus, 200);
    assert.ok(legitMs < 30_000, `the legitimate sign-in took ${legitMs} ms`);
    assert.ok(count(401) >= 1 && count(401) <= BUDGET, `${count(401)} guesses were checked`);
    assert.equal(count(401) + count(429), 200, `only 401 and 429: ${[...new Set(statuses)]}`);
  });

  test('the four doors share one budget: guesses in turn through each are checked until it is spent, then every door is 429', async () => {
    const from = '127.0.0.3'; // an address of its own, untouched by the flood
    const statuses: number[] = [];
    for (let i = 0; i < BUDGET + 4; i++) statuses.push(await send(door(i, `sequential-${i}`), from));
    assert.deepEqual(statuses, [...Array<number>(BUDGET).fill(401), 429, 429, 429, 429]);
  });
});
