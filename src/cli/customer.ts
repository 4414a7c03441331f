import { Command } from 'commander';
import { isValidTimeZone } from '../domain/calendar.js';
import { AlreadyExistsError } from '../domain/errors.js';
import { CliError, type CommonOptions, print, withCommonOptions, withStore } from './common.js';
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
  return customer;
}
