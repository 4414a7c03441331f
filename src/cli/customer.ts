import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { WebhookKeyError, normalizeWebhookKey } from '../auth/webhookSignature.js';
import { isValidTimeZone } from '../domain/calendar.js';
import { AlreadyExistsError } from '../domain/errors.js';
import { CliError, type CommonOptions, print, withCommonOptions, withStore } from './common.js';
import { checkProviderKey, checkSigningProvider } from './providerKeys.js';
import { accountCommands } from './customerAccount.js';
import { purgeCommand } from './customerPurge.js';
import { checkName } from './validate.js';

export function customerCommand(): Command {
  const customer = new Command('customer').description('manage customers');
  withCommonOptions(
    customer
      .command('add <username>')
      .description('register a customer under a reseller')
      .requiredOption('--reseller <api_user>', 'the owning reseller')
      .option('--timezone <tz>', 'IANA time zone its days are counted in', 'UTC'),
  ).action(async (username: string, opts: CommonOptions & { reseller: string; timezone: string }) => {
    checkName('username', username, { colon: true });
    if (!isValidTimeZone(opts.timezone)) throw new CliError(`unknown time zone: ${opts.timezone} (use an IANA name such as Europe/Berlin)`);
    await withStore(opts, async (store) => {
      const reseller = await store.findReseller(opts.reseller);
      if (!reseller) throw new CliError(`reseller ${opts.reseller} not found`);
      // One namespace (SPEC section 8): a customer signs in with its username as api_user.
      if (await store.findReseller(username)) throw new CliError(`${username} is already a reseller's api_user; resellers and customers share one namespace`);
      try {
        await store.addCustomer(username, reseller.id, opts.timezone);
      } catch (err) {
        if (err instanceof AlreadyExistsError) throw new CliError(`customer ${username} already exists`);
        throw err;
      }
    });
    print(
      opts,
      { username, reseller: opts.reseller, timezone: opts.timezone },
      `customer ${username} registered under ${opts.reseller} (time zone ${opts.timezone})`,
    );
  });
  withCommonOptions(
    customer
      .command('set-webhook-key <username> [key]')
      .description('require signed Event Webhook requests for a customer: the verification key from SendGrid (base64), a PEM public key, or - to read it from stdin')
      .option('--provider <p>', 'the provider this key is for: sendgrid (default), mailgun, resend, postal, or ses (its TopicArn allowlist)')
      .option('--clear', 'remove the key: unsigned requests are accepted again'),
  ).action(async (username: string, key: string | undefined, opts: CommonOptions & { clear?: boolean; provider?: string }) => {
    if (Boolean(opts.clear) === (key !== undefined)) throw new CliError('give either a key or --clear');
    if (opts.provider !== undefined && opts.provider !== 'sendgrid') return setProviderKey(username, opts.provider, key, opts);
    let pem: string | null = null;
    if (key !== undefined) {
      try {
        pem = normalizeWebhookKey(key === '-' ? readFileSync(0, 'utf8') : key);
      } catch (err) {
        if (err instanceof WebhookKeyError) throw new CliError(err.message);
        throw err;
      }
    }
    const found = await withStore(opts, (store) => store.setWebhookKey(username, pem));
    if (!found) throw new CliError(`customer ${username} not found`);
    print(
      opts,
      { username, signed: pem !== null },
      pem ? `webhook requests for ${username} must now be signed with this key` : `webhook requests for ${username} are no longer checked for a signature`,
    );
  });
  accountCommands(customer);
  purgeCommand(customer);
  return customer;
}

async function setProviderKey(username: string, provider: string, key: string | undefined, opts: CommonOptions): Promise<void> {
  checkSigningProvider(provider);
  const stored = key === undefined ? null : checkProviderKey(provider, key === '-' ? readFileSync(0, 'utf8') : key);
  const found = await withStore(opts, (store) => store.setProviderWebhookKey(username, provider, stored));
  if (!found) throw new CliError(`customer ${username} not found`);
  print(
    opts,
    { username, provider, signed: stored !== null },
    stored ? `${provider} webhook requests for ${username} must now be signed with this key` : `${provider} webhook requests for ${username} are no longer checked for a signature`,
  );
}
