// How the e2e suites get a browser: Debian's Chromium (or MAILTALLY_CHROMIUM), driven by
// playwright-core, headless. Where it is missing a suite is skipped with one line, except under
// CI=true, where .ci/run installs it and a missing browser is a failure.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.MAILTALLY_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), '.tmp', 'artifacts');

const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === 'true') throw new Error(`CI=true but no Chromium at ${CHROMIUM}`);

/** The `skip` option for a suite: false, or why it is skipped (printed once). */
export function skipWithoutChromium(what: string): false | string {
  const skip = missing && `no Chromium at ${CHROMIUM}; skipping the ${what} e2e tests`;
  if (skip) process.stdout.write(`# ${skip}\n`);
  return skip;
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
