// The dashboard end to end in headless Chromium (Debian's package, driven by playwright-core):
// sign in, open a customer, change the range, export CSV and compare it with the API. Screenshots
// land in .tmp/artifacts/. Where Chromium is missing the suite is skipped with one line, except
// under CI=true, where .ci/run installs it and a missing browser is a failure.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type Fixture, fixture, postEvents } from '../helpers.js';
import { ARTIFACTS, launchChromium, skipWithoutChromium } from './chromium.js';

const skip = skipWithoutChromium('dashboard');

const DAY = 86_400;

function events(now: number): object[] {
  const out: object[] = [];
  for (let d = 0; d < 12; d++) {
    for (let i = 0; i < 20 + d * 3; i++) {
      const t = now - d * DAY - 3600 - i * 7;
      const id = { email: `u${i}@example.com`, sg_message_id: `d${d}-m${i}`, category: i % 2 ? 'newsletter' : 'receipts' };
      out.push({ ...id, event: 'processed', timestamp: t });
      if (i % 10 !== 0) out.push({ ...id, event: 'delivered', timestamp: t + 1 });
      if (i % 3 === 0) out.push({ ...id, event: 'open', timestamp: t + 2, sg_machine_open: i % 6 === 0 });
      if (i % 5 === 0) out.push({ ...id, event: 'click', timestamp: t + 3, url: 'https://example.com/a' });
      if (i % 10 === 0) out.push({ ...id, event: 'bounce', timestamp: t + 1 });
      if (i === 7) out.push({ ...id, event: 'spamreport', timestamp: t + 4 });
    }
  }
  return out;
}

describe('dashboard in Chromium', { skip }, () => {
  let f: Fixture;
  let browser: Browser;
  let page: Page;
  let base: string;

  before(async () => {
    const now = new Date();
    f = await fixture(now);
    // More customers than one page would hold, to show paging and sorting.
    const r1 = (await f.store.findReseller('r1'))!.id;
    for (let i = 0; i < 60; i++) await f.store.addCustomer(`shop-${String(i).padStart(2, '0')}`, r1, 'UTC');
    const posted = await postEvents(f.app, events(Math.floor(now.getTime() / 1000)));
    assert.equal(posted.status, 200);
    base = await f.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    page = await (await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } })).newPage();
  });
  after(async () => {
    await browser?.close();
    await f?.close();
  });

  test('a wrong key is refused on the sign-in form', async () => {
    await page.goto(`${base}/dashboard`);
    await page.fill('#api_user', 'r1');
    await page.fill('#api_key', 'wrong-key');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#login-error:has-text("Wrong api_user or api_key")');
  });

  test('sign in: the customer list, sortable and paged, each with a trend line', async () => {
    await page.fill('#api_key', 'key-r1-secret');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#customers tbody tr');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'mt_session');
    assert.ok(cookie?.httpOnly, 'session cookie is HttpOnly');
    assert.equal(cookie?.sameSite, 'Strict');
    assert.equal(await page.locator('#customers tbody tr').count(), 50, 'one page of 50');
    assert.equal(await page.locator('.pager span').textContent(), '1–50 of 61');
    // Sorted by requests, descending: the only customer with mail comes first.
    assert.equal(await page.locator('#customers tbody tr').first().getAttribute('data-username'), 'c1');
    await page.click('th[data-sort="username"]');
    await page.waitForSelector('th.sorted-desc[data-sort="username"]');
    assert.equal(await page.locator('#customers tbody tr').first().getAttribute('data-username'), 'shop-59');
    await page.fill('#customer-search', 'c1');
    await page.waitForFunction(() => document.querySelectorAll('#customers tbody tr').length === 1);
    assert.equal(await page.locator('#customers tbody tr canvas.sparkline').count(), 1);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-customers.png'), fullPage: true });
  });

  test('a customer: chart, time zone, range change, CSV export equal to the API', async () => {
    await page.click('#customers tbody tr[data-username="c1"] a');
    await page.waitForSelector('#series tbody tr');
    assert.match((await page.locator('#customer-tz').textContent()) ?? '', /time zone: UTC/);
    assert.equal(await page.locator('#series tbody tr').count(), 30, 'last 30 days by default');
    assert.equal(await page.locator('#chart canvas').count() > 0, true, 'uPlot drew the chart');

    await page.selectOption('#range-preset', '7');
    await page.waitForFunction(() => document.querySelectorAll('#series tbody tr').length === 7);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-customer.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-series')]);
    const csv = readFileSync((await download.path()) as string, 'utf8').trim().split('\r\n');
    const header = (csv[0] ?? '').split(',');
    const rows = csv.slice(1).map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i], i === 0 ? v : Number(v)])));
    assert.equal(rows.length, 7);

    const api = await f.app.inject({ url: '/api/distributor.manage.json?api_user=r1&api_key=key-r1-secret&method=stats&user=c1&days=7' });
    const expected = api.json() as Array<Record<string, number | string>>;
    assert.deepEqual(
      rows.map((r) => ({ date: r.date, requests: r.requests, bounces: r.bounces, clicks: r.clicks, opens: Number(r.human_opens) + Number(r.machine_opens), spamreports: r.spamreports })),
      expected,
    );
    assert.ok(rows.some((r) => Number(r.machine_opens) > 0), 'machine opens shown apart');

    // Weekly buckets sum the same days.
    await page.selectOption('#range-by', 'week');
    await page.waitForFunction(() => (document.querySelector('#series thead th')?.textContent ?? '').startsWith('week'));
    const total = await page.locator('#series tfoot td').nth(1).textContent();
    assert.equal(Number((total ?? '').replaceAll(',', '')), expected.reduce((n, r) => n + Number(r.requests), 0));
  });

  test('suppression list tabs: the bounced addresses, prefix search, another list, CSV equal to the v1 list', async () => {
    await page.waitForSelector('#suppression-table tbody tr');
    const api = await f.app.inject({ url: '/api/distributor.manage.json?api_user=r1&api_key=key-r1-secret&method=bounces&user=c1&task=get' });
    const listed = (api.json() as Array<{ email: string }>).map((e) => e.email).sort();
    assert.ok(listed.length > 1);
    const shown = async () => (await page.locator('#suppression-table tbody tr td:first-child').allTextContents()).sort();
    assert.deepEqual(await shown(), listed);
    await page.fill('#suppression-search', 'u1');
    await page.waitForFunction(() => document.querySelectorAll('#suppression-table tbody tr').length === 1);
    assert.deepEqual(await shown(), ['u10@example.com']);
    await page.fill('#suppression-search', '');
    await page.waitForFunction((n) => document.querySelectorAll('#suppression-table tbody tr').length === n, listed.length);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#suppression-export')]);
    const csv = readFileSync((await download.path()) as string, 'utf8').trim().split('\r\n');
    assert.equal(csv[0], 'email,status,reason,first_added,created');
    assert.deepEqual(csv.slice(1).map((line) => line.split(',')[0]).sort(), listed);
    await page.click('#tab-spam_reports');
    await page.waitForFunction(() => document.querySelector('#suppression-table tbody td')?.textContent === 'u7@example.com');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-suppressions.png'), fullPage: true });
  });

  test('sign out ends the session', async () => {
    await page.click('#logout');
    await page.waitForSelector('#login');
    const res = await page.request.get(`${base}/dashboard/api/me`);
    assert.equal(res.status(), 401);
  });
});
