// Provider events → suppression lists (SPEC section 9 through section 7's mapping): the
// documentation samples of test/fixtures/providers.ts through each adapter and the shared ingest
// path into a real SQLite store, then the lists read back. The address, reason (and, where the
// provider gives one, status) survive the mapping; group-level and in-flight events add nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SUPPRESSION_LISTS, type SuppressionEntry } from '../../src/domain/suppression.js';
import { brevo, mailgun, mailjet, postmark, sparkpost } from '../fixtures/providers.js';
import { addReseller, openTempSqlite, tempDir } from '../helpers.js';
import { ingestInto } from '../providerHelpers.js';

/** list → entries (address and detail, times dropped) after the bodies, for a fresh customer. */
async function listsAfter(provider: string, ...bodies: unknown[]): Promise<Record<string, Array<Pick<SuppressionEntry, 'email' | 'status' | 'reason'>>>> {
  const dir = tempDir();
  const store = openTempSqlite(dir);
  try {
    const customer = await store.addCustomer('c1', await addReseller(store, 'r1', 'key-r1-secret'), 'UTC');
    await ingestInto(store, customer, provider, bodies);
    const out: Record<string, Array<Pick<SuppressionEntry, 'email' | 'status' | 'reason'>>> = {};
    for (const list of SUPPRESSION_LISTS) {
      const entries = await store.suppressions(customer.id, { list, limit: 100 });
      if (entries.length > 0) out[list] = entries.map(({ email, status, reason }) => ({ email, status, reason }));
    }
    return out;
  } finally {
    await store.close();
    dir.cleanup();
  }
}

describe('provider events on suppression lists', () => {
  test('mailgun: permanent failure → bounces with its text; "old" → blocks; complained; unsubscribed; temporary → nothing', async () => {
    const lists = await listsAfter('mailgun', mailgun.failedPermanent, mailgun.failedOld, mailgun.complained, mailgun.unsubscribed, mailgun.failedTemporary);
    assert.deepEqual(Object.keys(lists).sort(), ['blocks', 'bounces', 'spam_reports', 'unsubscribes']);
    assert.equal(lists.bounces?.length, 1);
    assert.ok((lists.bounces?.[0]?.reason ?? '').length > 0, 'the bounce text survives the mapping');
    assert.deepEqual(lists.spam_reports, [{ email: 'recipient@example.com', status: '', reason: '' }]);
    assert.deepEqual(lists.unsubscribes, [{ email: 'recipient@example.com', status: '', reason: '' }]);
  });

  test('mailgun: suppression drops (repeat_*) are not new list entries', async () => {
    assert.deepEqual(await listsAfter('mailgun', mailgun.suppressBounce), {});
  });

  test('sparkpost: hard bounce → bounces, block class → blocks, delay → nothing', async () => {
    const lists = await listsAfter('sparkpost', sparkpost.bounce, sparkpost.block, sparkpost.delay);
    assert.deepEqual(lists.bounces, [{ email: 'recipient@example.com', status: '', reason: '550 5.1.1 <recipient@example.com>: Recipient address rejected: User unknown' }]);
    assert.equal(lists.blocks?.[0]?.reason, '554 5.7.1 blocked');
  });

  test('mailjet: bounce, spam and unsub each on their list', async () => {
    const lists = await listsAfter('mailjet', mailjet.bounce, mailjet.spam, mailjet.unsub);
    assert.deepEqual(Object.keys(lists).sort(), ['bounces', 'spam_reports', 'unsubscribes']);
    assert.equal(lists.spam_reports?.[0]?.email, mailjet.spam.email.toLowerCase());
  });

  test('postmark: a hard bounce → bounces; brevo: spam → spam_reports', async () => {
    const pm = await listsAfter('postmark', postmark.bounce);
    assert.equal(pm.bounces?.length ?? pm.blocks?.length, 1);
    const br = await listsAfter('brevo', brevo.spam);
    assert.deepEqual(Object.keys(br), ['spam_reports']);
  });
});
