// No 5xx from any provider's body (issue 12): documentation samples with random fields replaced
// by random JSON values, and wholly random JSON, posted to /webhooks/<provider> on SQLite and
// PostgreSQL. Every answer is 200 or 400 in the JSON envelope, never a stack trace or SQL text.
// FUZZ_SEED / FUZZ_RUNS as in noServerErrors.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { type Fixture, TEST_BACKEND, basicAuth, fixture } from '../helpers.js';
import { brevo, mailgun, mailjet, postal, postmark, resend, sparkpost } from '../fixtures/providers.js';
import { pgSkip } from '../pg.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261130;
const RUNS = Math.max(1, Math.round(40 * (process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) / 100 : 1)));
const LEAK = /\bat [\w$.<>[\]]+ \(|\bat (?:file:|node:|\/)\S*:\d+:\d+|\b(?:Type|Range|Reference|Syntax)Error\b|Error:|SQLITE|SQLSTATE|\bINSERT INTO\b|node_modules|\/src\//;

const SAMPLES: Record<string, unknown[]> = {
  mailgun: Object.values(mailgun),
  postmark: Object.values(postmark),
  sparkpost: Object.values(sparkpost),
  mailjet: [Object.values(mailjet), ...Object.values(mailjet)],
  brevo: [Object.values(brevo), ...Object.values(brevo)],
  resend: Object.values(resend),
  postal: Object.values(postal),
};

/** Every path to a value inside `v` (object keys and array indexes). */
function paths(v: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof v !== 'object' || v === null) return [prefix];
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
  return [prefix, ...entries.flatMap(([k, x]) => paths(x, [...prefix, k]))];
}

function replaced(v: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy: any = Array.isArray(v) ? [...v] : { ...(v as object) };
  copy[head as string] = replaced(copy[head as string], rest, value);
  return copy;
}

const mutant = (samples: unknown[]) =>
  fc.tuple(fc.nat(samples.length - 1), fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 4 })).map(([i, changes]) => {
    let body = samples[i];
    for (const [pick, value] of changes) {
      const all = paths(body);
      body = replaced(body, all[pick % all.length] as Array<string | number>, value);
    }
    return body;
  });

describe(`provider bodies never cause a 5xx (${TEST_BACKEND})`, { skip: TEST_BACKEND === 'postgres' && pgSkip }, () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(new Date('2026-01-01T00:00:00Z'));
  });
  after(async () => f.close());

  async function check(app: FastifyInstance, provider: string, body: unknown): Promise<void> {
    const payload = JSON.stringify(body) ?? 'null';
    const res = await app.inject({ method: 'POST', url: `/webhooks/${provider}?user=c1`, headers: { authorization: basicAuth('r1', 'key-r1-secret'), 'content-type': 'application/json' }, payload });
    assert.ok(res.statusCode === 200 || res.statusCode === 400, `${provider} ${res.statusCode} ${res.body.slice(0, 300)} for ${payload.slice(0, 300)}`);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.doesNotMatch(res.body, LEAK);
    const answer = res.json();
    if (res.statusCode === 200) assert.ok(Number.isInteger(answer.accepted) && Array.isArray(answer.rejected));
    else assert.equal(answer.message, 'error');
  }

  for (const [provider, samples] of Object.entries(SAMPLES)) {
    test(`${provider}: mutated samples and random JSON`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(mutant(samples), fc.jsonValue({ maxDepth: 3 })), async (body) => check(f.app, provider, body)),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }
});
