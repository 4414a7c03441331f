import { Command } from 'commander';
import { keyLookupDigest } from '../auth/keyDigest.js';
import { hashApiKey } from '../auth/keys.js';
import { AlreadyExistsError } from '../domain/errors.js';
import { brandCommands } from './resellerBrand.js';
import { CliError, type CommonOptions, print, withCommonOptions, withStore } from './common.js';
import { MIN_API_KEY_LENGTH, checkName, chosenOrGeneratedKey, keyHeldByCustomer } from './validate.js';

const KEY_TAKEN = 'that api_key belongs to another account; every reseller and customer needs its own (the v3 API identifies an account by its key alone)';


export function resellerCommand(): Command {
  const reseller = new Command('reseller').description('manage resellers');
  withCommonOptions(
    reseller
      .command('add <api_user>')
      .description('create a reseller; prints its api_key once (generated unless --api-key is given)')
      .option('--api-key <key>', `use this key instead of a generated one (${MIN_API_KEY_LENGTH}+ characters)`),
  ).action(async (apiUser: string, opts: CommonOptions & { apiKey?: string }) => {
    checkName('api_user', apiUser, { colon: false });
    const key = chosenOrGeneratedKey(opts.apiKey);
    const { salt, hash } = await hashApiKey(key);
    const digest = await keyLookupDigest(key);
    await withStore(opts, async (store) => {
      // One namespace (SPEC section 8): a customer's username cannot become a reseller's api_user.
      // Deleted customers included: their usernames stay reserved (SPEC section 9).
      if (await store.customerNameHeld(apiUser)) throw new CliError(`${apiUser} is already a customer's username; resellers and customers share one namespace`);
      if (await keyHeldByCustomer(store, digest)) throw new CliError(KEY_TAKEN);
      try {
        // The digest lets the v3 API find this reseller by its key alone (auth/keyDigest.ts).
        await store.addReseller(apiUser, salt, hash, digest);
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        if (await store.findReseller(apiUser)) throw new CliError(`reseller ${apiUser} already exists`);
        throw new CliError(KEY_TAKEN);
      }
    });
    print(opts, { api_user: apiUser, api_key: key }, `reseller ${apiUser} created\napi_key: ${key}\n(the key is shown only now; only its hash is stored)`);
  });
  withCommonOptions(
    reseller
      .command('rotate-key <api_user>')
      .description('replace a reseller\'s api_key; the old key stops working at once, in every process')
      .option('--api-key <key>', `use this key instead of a generated one (${MIN_API_KEY_LENGTH}+ characters)`),
  ).action(async (apiUser: string, opts: CommonOptions & { apiKey?: string }) => {
    const key = chosenOrGeneratedKey(opts.apiKey);
    const { salt, hash } = await hashApiKey(key);
    // The v3 API finds a reseller by its key alone, so the new key's lookup digest is replaced
    // in the same statement, and a key another reseller already has is refused.
    const digest = await keyLookupDigest(key);
    const found = await withStore(opts, async (store) => {
      if (await keyHeldByCustomer(store, digest)) throw new CliError(KEY_TAKEN);
      try {
        return await store.rotateKey(apiUser, salt, hash, digest);
      } catch (err) {
        if (err instanceof AlreadyExistsError) throw new CliError(KEY_TAKEN);
        throw err;
      }
    });
    if (!found) throw new CliError(`reseller ${apiUser} not found`);
    print(opts, { api_user: apiUser, api_key: key }, `new api_key for ${apiUser}: ${key}\n(the old key no longer works; the new one is shown only now)`);
  });
  brandCommands(reseller);
  return reseller;
}
