// Issue 14 item 4 end to end in headless Chromium: the reseller creates a customer from the
// dashboard's form, confirms, sees it listed, and deletes it again (confirming the dialog).
// Skipped with one line where Chromium is missing (as test/e2e/dashboard.test.ts).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type Fixture, fixture } from '../helpers.js';

const CHROMIUM = process.env.MAILTALLY_CHROMIUM || '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === 'true') throw new Error(`CI=true but no Chromium at ${CHROMIUM}`);
const skip = missing && `no Chromium at ${CHROMIUM}; skipping the dashboard provisioning e2e test`;
if (skip) process.stdout.write(`# ${skip}\n`);

describe('dashboard customer actions in Chromium', { skip }, () => {
  let f: Fixture;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  before(async () => {
    f = await fixture(new Date());
    const base = await f.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    // Every confirmation is read and accepted.
    page.on('dialog', (d) => void (dialogs.push(d.message()), d.accept()));
    await page.goto(`${base}/dashboard`);
    await page.fill('#api_user', 'r1');
    await page.fill('#api_key', 'key-r1-secret');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#customers tbody tr');
  });
  after(async () => {
    await browser?.close();
    await f?.close();
  });

  test('create a customer from the form, then delete it from its row', async () => {
    await page.click('.actions-panel summary');
    await page.fill('#new-username', 'shop-new');
    await page.fill('#new-password', 'shop-new-password');
    await page.fill('#new-timezone', 'Europe/Berlin');
    await page.click('#create-customer button[type=submit]');
    await page.waitForSelector('#customers tbody tr[data-username="shop-new"]');
    assert.match(dialogs.at(-1) ?? '', /Create customer shop-new \(time zone Europe\/Berlin\)/);
    assert.equal((await f.store.findCustomer('shop-new'))?.timezone, 'Europe/Berlin');

    await page.click('#customers tbody tr[data-username="shop-new"] button.disable');
    await page.click('#customers tbody tr[data-username="shop-new"] button.delete');
    await page.waitForFunction(() => document.querySelector('#customers tbody tr[data-username="shop-new"]') === null);
    assert.match(dialogs.at(-1) ?? '', /^Delete shop-new\?/);
    assert.equal(await f.store.findCustomer('shop-new'), null);
    assert.equal(await f.store.customerNameHeld('shop-new'), true, 'the username stays reserved');
  });
});
