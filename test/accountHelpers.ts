// Customers as accounts (issue 13): giving a test customer its own key, as `customer set-key` does.
import { keyLookupDigest } from '../src/auth/keyDigest.js';
import { hashApiKey } from '../src/auth/keys.js';
import type { Store } from '../src/store/types.js';

export async function setCustomerKey(store: Store, username: string, apiKey: string): Promise<void> {
  const { salt, hash } = await hashApiKey(apiKey);
  if (!(await store.setCustomerKey(username, salt, hash, await keyLookupDigest(apiKey)))) throw new Error(`no customer ${username}`);
}

/** c1's and c2's own keys in the tests. */
export const C1 = { api_user: 'c1', api_key: 'key-c1-own' };
export const C2 = { api_user: 'c2', api_key: 'key-c2-own' };
