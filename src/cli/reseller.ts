import { Command } from 'commander';
import { MAX_API_KEY_LENGTH, generateApiKey, hashApiKey } from '../auth/keys.js';
import { AlreadyExistsError } from '../domain/errors.js';
import { CliError, type CommonOptions, print, withCommonOptions, withStore } from './common.js';
import { MIN_API_KEY_LENGTH, checkName } from './validate.js';

export function resellerCommand(): Command {
  const reseller = new Command('reseller').description('manage resellers');
  withCommonOptions(
    reseller
      .command('add <api_user>')
      .description('create a reseller; prints its api_key once (generated unless --api-key is given)')
      .option('--api-key <key>', `use this key instead of a generated one (${MIN_API_KEY_LENGTH}+ characters)`),
  ).action(async (apiUser: string, opts: CommonOptions & { apiKey?: string }) => {
    checkName('api_user', apiUser, { colon: false });
    const key = opts.apiKey ?? generateApiKey();
    if (key.length < MIN_API_KEY_LENGTH || key.length > MAX_API_KEY_LENGTH) {
      throw new CliError(`--api-key must be ${MIN_API_KEY_LENGTH} to ${MAX_API_KEY_LENGTH} characters`);
    }
    const { salt, hash } = await hashApiKey(key);
    await withStore(opts, async (store) => {
      try {
        await store.addReseller(apiUser, salt, hash);
      } catch (err) {
        if (err instanceof AlreadyExistsError) throw new CliError(`reseller ${apiUser} already exists`);
        throw err;
      }
    });
    print(opts, { api_user: apiUser, api_key: key }, `reseller ${apiUser} created\napi_key: ${key}\n(the key is shown only now; only its hash is stored)`);
  });
  return reseller;
}
