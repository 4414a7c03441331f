// Issue 14's flow end to end, in headless Chromium against the real HTTP server: a reseller signs
// in, creates a customer from the dashboard form, its platform posts bounce events for that new
// customer to the webhook with the reseller's credentials, the reseller opens the customer's
// Bounces tab (addresses, status, reason), exports the CSV (the same rows as the v1
// `method=bounces&task=get&date=1` answer), deletes one address (confirming) and neither the tab
// nor the v1 answer hold it any more. One browser, one page; skipped where Chromium is missing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Fixture, basicAuth, fixture } from '../helpers.js';
import { ARTIFACTS, launchChromium, skipWithoutChromium } from './chromium.js';

const skip = skipWithoutChromium('reseller flow');
const CUSTOMER = 'shop-flow';
const R1_QUERY = 'api_user=r1&api_key=key-r1-secret';

/** RFC 4180 lines as the server writes them (quoted cells may hold commas and doubled quotes). */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split('\r\n').filter((l) => l !== '')) {
    const cells: string[] = [];
    for (const m of line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)) cells.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : (m[2] ?? ''));
    rows.push(cells);
  }
  return rows;
}

describe('issue 14 flow in Chromium: create a customer, see its bounces, export them, delete one', { skip }, () => {
  let f: Fixture;
  let browser: Browser;
  let page: Page;
  let base: string;
  const dialogs: string[] = [];
  const problems: string[] = [];
  const v1Bounces = async () => {
    const res = await fetch(`${base}/api/distributor.manage.json?${R1_QUERY}&method=bounces&user=${CUSTOMER}&task=get&date=1`);
    assert.equal(res.status, 200);
    return (await res.json()) as Array<{ email: string; status: string; reason: string; created: string }>;
  };

  before(async () => {
    f = await fixture(new Date());
    base = await f.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    page = await (await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } })).newPage();
    page.on('dialog', (d) => void (dialogs.push(d.message()), d.accept())); // every confirmation read and accepted
    page.on('pageerror', (e) => problems.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await f?.close();
  });

  test('the whole flow', async () => {
    // 1. Sign in as the reseller; create the customer from the form.
    await page.goto(`${base}/dashboard`);
    await page.fill('#api_user', 'r1');
    await page.fill('#api_key', 'key-r1-secret');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#customers');
    await page.click('.actions-panel summary');
    await page.fill('#new-username', CUSTOMER);
    await page.fill('#new-password', 'shop-flow-password');
    await page.click('#create-customer button[type=submit]');
    await page.waitForSelector(`#customers tbody tr[data-username="${CUSTOMER}"]`);
    assert.match(dialogs.at(-1) ?? '', new RegExp(`^Create customer ${CUSTOMER}`));

    // 2. The platform posts bounces for the new customer, with the reseller's credentials.
    const t = Math.floor(Date.now() / 1000) - 600;
    const bounces = [
      { email: 'gone@example.com', status: '5.1.1', reason: '550 5.1.1 <gone@example.com>: Recipient address rejected, user unknown' },
      { email: 'Full@Example.org', status: '5.2.2', reason: '552 5.2.2 mailbox full "quota exceeded"' },
      { email: 'nohost@example.net', status: '5.4.4', reason: 'Unable to resolve host' },
    ];
    const posted = await fetch(`${base}/webhooks/events?user=${CUSTOMER}`, {
      method: 'POST',
      headers: { authorization: basicAuth('r1', 'key-r1-secret'), 'content-type': 'application/json' },
      body: JSON.stringify(bounces.map((b, i) => ({ event: 'bounce', type: 'bounce', ...b, timestamp: t + i, sg_event_id: `flow-${i}`, sg_message_id: `flow-msg-${i}` }))),
    });
    assert.equal(posted.status, 200, await posted.text());

    // 3. Open the customer, then its Bounces tab: addresses (lower-cased), status, reason.
    await page.click(`#customers tbody tr[data-username="${CUSTOMER}"] a`);
    await page.waitForSelector('#suppressions');
    await page.click('#tab-bounces');
    await page.waitForFunction(() => document.querySelectorAll('#suppression-table tbody tr').length === 3);
    const shown = await page.locator('#suppression-table tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).slice(0, 3).map((td) => td.textContent)));
    const expected = bounces.map((b) => [b.email.toLowerCase(), b.status, b.reason]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    assert.deepEqual(shown, expected);

    // 4. Export the CSV: the same addresses, status, reason and time as the v1 answer.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#suppression-export')]);
    const [head, ...rows] = csvRows(readFileSync((await download.path()) as string, 'utf8'));
    assert.deepEqual(head, ['email', 'status', 'reason', 'first_added', 'created']);
    const v1 = await v1Bounces();
    assert.equal(v1.length, 3);
    const byEmail = (a: { email?: string }, b: { email?: string }) => String(a.email).localeCompare(String(b.email));
    assert.deepEqual(rows.map(([email, status, reason, , created]) => ({ email, status, reason, created })).sort(byEmail), [...v1].sort(byEmail));

    // 5. Delete one address, confirming: gone from the tab and from the v1 answer.
    await page.click('#suppression-table tbody tr[data-email="full@example.org"] button.delete');
    await page.waitForFunction(() => document.querySelectorAll('#suppression-table tbody tr').length === 2);
    assert.match(dialogs.at(-1) ?? '', /^Delete full@example\.org from Bounces\?/);
    assert.deepEqual(await page.locator('#suppression-table tbody tr td:first-child').allTextContents(), ['gone@example.com', 'nohost@example.net']);
    assert.deepEqual((await v1Bounces()).map((e) => e.email).sort(), ['gone@example.com', 'nohost@example.net']);
    assert.equal(await page.locator('#suppression-error').textContent(), '');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-reseller-flow.png'), fullPage: true });
    assert.deepEqual(problems, [], 'no script error');
  });
});
