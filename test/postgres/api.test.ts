// The API suites once more, on PostgreSQL: the same files, with the fixture opening a fresh
// PostgreSQL database instead of a SQLite file (SPEC section 6: both backends give identical
// answers). One process, so the environment switch below applies to these imports only.
import { test } from 'node:test';
import { pgSkip } from '../pg.js';

const SUITES = ['golden', 'badInput', 'webhook', 'ingestLimits', 'idempotency', 'signedWebhook', 'v2', 'v3', 'v3Keys', 'ops', 'compat', 'clientReplay', 'providerWebhooks', 'providerLimits', 'sesIngest', 'sesRoute', 'xmlText', 'futureEvents', 'largeAnswers', 'customerAccounts', 'statsGet', 'v3Monthly', 'tenancy', 'provisioning', 'v3Subusers', 'dashboardProvisioning', 'customerDashboard', 'suppressions', 'dashboardSuppressionDelete'];

if (pgSkip) {
  test('API suites on PostgreSQL', { skip: pgSkip }, () => undefined);
} else {
  process.env.MAILTALLY_TEST_BACKEND = 'postgres';
  for (const suite of SUITES) await import(`../api/${suite}.test.js`);
}
