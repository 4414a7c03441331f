// A customer's own dashboard in headless Chromium (issue 13 item 4): it signs in with its own
// key, sees its reseller's brand (the name as text, the accent colour really applied under the
// strict CSP), its own chart and tables; asking for another customer's page by URL shows the
// refusal and no data, and the other customer's series API (whose numbers the CSV export is
// made of) answers the page exactly as for a name that does not exist. One browser, one page.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { C1, setCustomerKey } from '../accountHelpers.js';
import { type Fixture, fixture, postEvents } from '../helpers.js';
import { ARTIFACTS, launchChromium, skipWithoutChromium } from './chromium.js';

const skip = skipWithoutChromium('customer dashboard');
const BRAND = { name: 'Acme <b>Mail</b> & Co', color: '#c2410c' };
const ACCENT_RGB = 'rgb(194, 65, 12)';

describe('customer dashboard in Chromium', { skip }, () => {
  let f: Fixture;
  let browser: Browser;
  let page: Page;
  let base: string;
  const problems: string[] = [];

  before(async () => {
    const now = new Date();
    f = await fixture(now);
    await f.store.addCustomer('c3', f.customer.resellerId, 'UTC'); // c1's sibling under r1
    await setCustomerKey(f.store, 'c1', C1.api_key);
    await f.store.setResellerBrand('r1', BRAND);
    const t = Math.floor(now.getTime() / 1000) - 3600;
    const mail = (user: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ event: 'processed', timestamp: t - i * 86_400, email: `${user}${i}@x`, sg_message_id: `${user}-${i}`, category: 'news' }));
    assert.equal((await postEvents(f.app, mail('c1', 5))).status, 200);
    assert.equal((await postEvents(f.app, mail('c3', 3), 'c3')).status, 200);
    base = await f.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    page = await (await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } })).newPage();
    // A CSP refusal (say, of an inline style) shows up as a console error and as a page event;
    // refused requests (the 401 before sign-in, the refusals below) are expected console errors.
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective}`)));
  });
  after(async () => {
    await browser?.close();
    await f?.close();
  });

  test('signs in with its own key: its own page, under its reseller\'s brand and colour', async () => {
    await page.goto(`${base}/dashboard`);
    await page.fill('#api_user', C1.api_user);
    await page.fill('#api_key', C1.api_key);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#series tbody tr');

    assert.equal(await page.locator('#customer-name').textContent(), 'c1');
    assert.equal(await page.locator('#chart canvas').count() > 0, true, 'uPlot drew the chart');
    assert.equal(await page.locator('#customers').count(), 0, 'no customer list');
    assert.equal(await page.locator('text=All customers').count(), 0, 'no link to one');

    // The name is text: the markup in it is shown, not parsed.
    assert.equal(await page.locator('#brand-name').textContent(), BRAND.name);
    assert.equal(await page.locator('header b').count(), 0);
    assert.equal(await page.title(), `${BRAND.name} · statistics`);
    const colours = await page.evaluate(() => ({
      header: getComputedStyle(document.querySelector('header') as Element).borderBottomColor,
      heading: getComputedStyle(document.querySelector('#customer-name') as Element).borderLeftColor,
      property: getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
    }));
    assert.deepEqual(colours, { header: ACCENT_RGB, heading: ACCENT_RGB, property: BRAND.color });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-series')]);
    const csv = readFileSync((await download.path()) as string, 'utf8').trim().split('\r\n');
    assert.match(csv[0] ?? '', /^date,requests,/);
    assert.equal(csv.slice(1).reduce((n, line) => n + Number(line.split(',')[1]), 0), 5, 'its own 5 requests');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-customer-branded.png'), fullPage: true });
    assert.deepEqual(problems, [], 'no CSP violation or script error');
  });

  test('another customer by URL: refused, no data shown; its API answers as for an unknown name', async () => {
    await page.evaluate(() => (location.hash = '#/customer/c3'));
    await page.waitForSelector('#view .error[role=alert]');
    assert.match((await page.locator('#view .error').textContent()) ?? '', /user not found/);
    assert.equal(await page.locator('#series').count(), 0);
    assert.equal(await page.locator('#chart').count(), 0);
    assert.equal(await page.locator('#customer-name').count(), 0);

    // Written without inner named functions: tsx would wrap those in a helper the page lacks.
    const paths = ['c3', 'c2', 'nobody', 'c1'].map((u) => `/dashboard/api/customers/${u}/series?days=30&aggregated_by=day`).concat('/dashboard/api/customers');
    const [sibling, otherReseller, unknown, own, list] = await page.evaluate(
      (urls) => Promise.all(urls.map((u) => fetch(u, { credentials: 'same-origin' }).then(async (res) => ({ status: res.status, body: await res.text() })))),
      paths,
    );
    assert.ok(sibling && otherReseller && unknown && own && list);
    assert.equal(unknown.status, 400);
    assert.deepEqual(sibling, unknown);
    assert.deepEqual(otherReseller, unknown);
    assert.equal(own.status, 200);
    assert.equal(list.status, 403);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-customer-refused.png'), fullPage: true });

    // Back to its own page.
    await page.click('#back-home');
    await page.waitForSelector('#series tbody tr');
    assert.deepEqual(problems, [], 'no CSP violation or script error');
  });
});
