// A customer as an account of its own (SPEC section 8): `customer set-key` gives it the api_key
// of its own API calls (stats.get, v3 with Bearer), `customer disable|enable` stops and restores
// them. Keys are stored as resellers' are: scrypt under a per-key salt, plus the Bearer lookup
// digest; the key is printed once and never stored in clear.
import type { Command } from 'commander';
import { keyLookupDigest } from '../auth/keyDigest.js';
import { hashApiKey } from '../auth/keys.js';
import { AlreadyExistsError } from '../domain/errors.js';
import { CliError, type CommonOptions, print, withCommonOptions, withStore } from './common.js';
import { MIN_API_KEY_LENGTH, chosenOrGeneratedKey, keyHeldByReseller } from './validate.js';

const KEY_TAKEN = 'that api_key belongs to another account; every reseller and customer needs its own (the v3 API identifies an account by its key alone)';

export function accountCommands(customer: Command): void {
  withCommonOptions(
    customer
      .command('set-key <username>')
      .description("give a customer its own api_key (or replace it: the old one stops working at once); prints it once (generated unless --api-key is given)")
      .option('--api-key <key>', `use this key instead of a generated one (${MIN_API_KEY_LENGTH}+ characters)`),
  ).action(async (username: string, opts: CommonOptions & { apiKey?: string }) => {
    const key = chosenOrGeneratedKey(opts.apiKey);
    const { salt, hash } = await hashApiKey(key);
    const digest = await keyLookupDigest(key);
    const found = await withStore(opts, async (store) => {
      if (await keyHeldByReseller(store, digest)) throw new CliError(KEY_TAKEN);
      try {
        return await store.setCustomerKey(username, salt, hash, digest);
      } catch (err) {
        if (err instanceof AlreadyExistsError) throw new CliError(KEY_TAKEN);
        throw err;
      }
    });
    if (!found) throw new CliError(`customer ${username} not found`);
    print(opts, { username, api_key: key }, `api_key for customer ${username}: ${key}\n(any earlier key no longer works; this one is shown only now, only its hash is stored)`);
  });

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    withCommonOptions(
      customer
        .command(`${name} <username>`)
        .description(
          disabled
            ? "stop a customer's own credentials at once, in every process (its events are still counted)"
            : "let a disabled customer's own credentials work again",
        ),
    ).action(async (username: string, opts: CommonOptions) => {
      const found = await withStore(opts, (store) => store.setCustomerDisabled(username, disabled));
      if (!found) throw new CliError(`customer ${username} not found`);
      print(opts, { username, disabled }, `customer ${username} ${disabled ? 'disabled: its credentials no longer work' : 'enabled'}`);
    });
  }
}
