// The event → metric table of SPEC section 5.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { METRICS, type MetricSource, V1_METRICS, metricsOf, zeroMetrics } from '../../src/domain/metrics.js';

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe('the stored metric set', () => {
  test('holds every metric of the SPEC table, each once', () => {
    const spec = [
      'requests', 'processed', 'delivered', 'deferred', 'bounces', 'blocks', 'opens', 'machine_opens', 'unique_opens',
      'clicks', 'unique_clicks', 'spamreports', 'unsubscribes', 'repeat_bounces', 'repeat_unsubscribes',
      'repeat_spamreports', 'invalid_email', 'spam_drop',
    ];
    assert.deepEqual(sorted(METRICS), sorted(spec));
    assert.equal(new Set(METRICS).size, METRICS.length);
  });

  test('zeroMetrics has every metric at 0, and a fresh object each time', () => {
    const row = zeroMetrics();
    assert.deepEqual(sorted(Object.keys(row)), sorted(METRICS));
    for (const m of METRICS) assert.equal(row[m], 0, m);
    row.opens = 5;
    assert.equal(zeroMetrics().opens, 0);
  });

  test('the v1 API shows requests, bounces, clicks, opens, spamreports, in that order', () => {
    assert.deepEqual([...V1_METRICS], ['requests', 'bounces', 'clicks', 'opens', 'spamreports']);
  });
});

describe('metricsOf', () => {
  const cases: Array<{ name: string; source: MetricSource; metrics: string[] }> = [
    { name: 'processed', source: { event: 'processed', machineOpen: false }, metrics: ['requests', 'processed'] },
    { name: 'dropped, no reason', source: { event: 'dropped', machineOpen: false }, metrics: ['requests'] },
    { name: 'dropped, other reason', source: { event: 'dropped', reason: 'Recipient List over Package Quota', machineOpen: false }, metrics: ['requests'] },
    { name: 'dropped: Bounced Address', source: { event: 'dropped', reason: 'Bounced Address', machineOpen: false }, metrics: ['requests', 'repeat_bounces'] },
    { name: 'dropped: Unsubscribed Address', source: { event: 'dropped', reason: 'Unsubscribed Address', machineOpen: false }, metrics: ['requests', 'repeat_unsubscribes'] },
    { name: 'dropped: Spam Reporting Address', source: { event: 'dropped', reason: 'Spam Reporting Address', machineOpen: false }, metrics: ['requests', 'repeat_spamreports'] },
    { name: 'dropped: Invalid', source: { event: 'dropped', reason: 'Invalid', machineOpen: false }, metrics: ['requests', 'invalid_email'] },
    { name: 'dropped: Spam Content', source: { event: 'dropped', reason: 'Spam Content', machineOpen: false }, metrics: ['requests', 'spam_drop'] },
    { name: 'delivered', source: { event: 'delivered', machineOpen: false }, metrics: ['delivered'] },
    { name: 'deferred', source: { event: 'deferred', machineOpen: false }, metrics: ['deferred'] },
    { name: 'bounce, type absent', source: { event: 'bounce', machineOpen: false }, metrics: ['bounces'] },
    { name: 'bounce, type bounce', source: { event: 'bounce', type: 'bounce', machineOpen: false }, metrics: ['bounces'] },
    { name: 'bounce, type expired', source: { event: 'bounce', type: 'expired', machineOpen: false }, metrics: ['bounces'] },
    { name: 'bounce, type blocked', source: { event: 'bounce', type: 'blocked', machineOpen: false }, metrics: ['blocks'] },
    { name: 'open', source: { event: 'open', machineOpen: false }, metrics: ['opens'] },
    { name: 'machine open', source: { event: 'open', machineOpen: true }, metrics: ['opens', 'machine_opens'] },
    { name: 'click', source: { event: 'click', machineOpen: false }, metrics: ['clicks'] },
    { name: 'spamreport', source: { event: 'spamreport', machineOpen: false }, metrics: ['spamreports'] },
    { name: 'unsubscribe', source: { event: 'unsubscribe', machineOpen: false }, metrics: ['unsubscribes'] },
    { name: 'group_unsubscribe', source: { event: 'group_unsubscribe', machineOpen: false }, metrics: ['unsubscribes'] },
    { name: 'group_resubscribe', source: { event: 'group_resubscribe', machineOpen: false }, metrics: [] },
  ];
  for (const { name, source, metrics } of cases) {
    test(`${name} → ${metrics.join(' + ') || 'nothing'}`, () => {
      const got = metricsOf(source);
      assert.deepEqual(sorted(got), sorted(metrics));
      assert.equal(new Set(got).size, got.length, 'each metric at most once');
    });
  }

  test('requests = processed + dropped: no other event counts as a request', () => {
    const events = ['processed', 'dropped', 'delivered', 'deferred', 'bounce', 'open', 'click', 'spamreport', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe'];
    const requesting = events.filter((event) => metricsOf({ event, machineOpen: false }).includes('requests'));
    assert.deepEqual(requesting, ['processed', 'dropped']);
    assert.equal(metricsOf({ event: 'dropped', machineOpen: false }).includes('processed'), false);
  });

  test('a blocked bounce is not a bounce, and the metric table never yields unique counts', () => {
    assert.equal(metricsOf({ event: 'bounce', type: 'blocked', machineOpen: false }).includes('bounces'), false);
    for (const event of ['open', 'click']) {
      for (const machineOpen of [false, true]) {
        const got = metricsOf({ event, machineOpen });
        assert.equal(got.includes('unique_opens') || got.includes('unique_clicks'), false, `${event} ${machineOpen}`);
      }
    }
  });

  test('machine_opens comes only from open events', () => {
    assert.deepEqual(metricsOf({ event: 'click', machineOpen: true }), ['clicks']);
  });
});
