// Creating customers and changing their credentials for a reseller (SPEC section 9), shared by
// v1 distributor.*, v3 /v3/subusers and the dashboard, which differ only in how they read
// parameters and word their answers.
import { keyLookupDigest } from '../auth/keyDigest.js';
import { hashApiKey } from '../auth/keys.js';
import type { Profile } from '../domain/customerProfile.js';
import { AlreadyExistsError, ApiError } from '../domain/errors.js';
import type { Customer, Reseller, StoredKey, Store } from '../store/types.js';

export interface NewCustomerInput {
  username: string;
  password: string;
  timezone: string;
  profile: Partial<Profile> | null;
}

// Storing a password costs two scrypts (~100 ms of libuv's 4 threads, which key checks, file
// writes and DNS also need). A reseller's script creating customers in a tight loop must not
// starve its own sign-ins: at most 2 such jobs run at once, 32 wait, beyond that 503 at once.
const HASHING = { running: 0, max: 2, queued: [] as Array<() => void>, maxQueued: 32 };

async function hashing<T>(job: () => Promise<T>): Promise<T> {
  if (HASHING.running >= HASHING.max) {
    if (HASHING.queued.length >= HASHING.maxQueued) throw new ApiError('unavailable', ['error in server: too many passwords being stored at once, retry later'], 1);
    await new Promise<void>((resolve) => HASHING.queued.push(resolve));
  } else HASHING.running++;
  try {
    return await job();
  } finally {
    // Hand the slot straight to the next waiter (the count stays), or free it.
    const next = HASHING.queued.shift();
    if (next) next();
    else HASHING.running--;
  }
}

/** The one namespace (SPEC section 8): a reseller's api_user or any customer's, deleted ones too. */
export async function usernameHeld(store: Store, username: string): Promise<boolean> {
  return (await store.findReseller(username)) !== null || (await store.customerNameHeld(username));
}

/**
 * The stored form of a password that becomes a customer's api_key. The Bearer lookup digest is
 * left out when another account already holds the same key: a v3 key must name one account
 * alone, and refusing the password would tell the caller that someone else uses it. Such a
 * customer signs in with username + password (v1, stats.get, dashboard) but not with a Bearer
 * key until it gets a key of its own (`customer set-key`).
 */
export async function storedKey(store: Store, password: string): Promise<StoredKey> {
  const [{ salt, hash }, digest] = await hashing(() => Promise.all([hashApiKey(password), keyLookupDigest(password)]));
  const taken = (await store.findResellerByKeyDigest(digest)) !== null || (await store.findCustomerByKeyDigest(digest)) !== null;
  return { salt, hash, digest: taken ? null : digest };
}

/** The created customer, or 'taken' when the username is held. */
export async function createCustomer(store: Store, reseller: Reseller, input: NewCustomerInput): Promise<Customer | 'taken'> {
  if (await usernameHeld(store, input.username)) return 'taken';
  const key = await storedKey(store, input.password);
  const attempt = (k: StoredKey): Promise<Customer> =>
    store.createCustomer({ username: input.username, resellerId: reseller.id, timezone: input.timezone, key: k, profile: input.profile });
  try {
    return await attempt(key);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    // A concurrent create took the name, or the key digest (then store it without one).
    if (await usernameHeld(store, input.username)) return 'taken';
    try {
      return await attempt({ ...key, digest: null });
    } catch (again) {
      if (again instanceof AlreadyExistsError) return 'taken';
      throw again;
    }
  }
}

/** Replaces the customer's key with this password; false when the customer is gone. */
export async function setPassword(store: Store, customer: Customer, password: string): Promise<boolean> {
  const key = await storedKey(store, password);
  try {
    return await store.setCustomerKey(customer.username, key.salt, key.hash, key.digest);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    return store.setCustomerKey(customer.username, key.salt, key.hash, null);
  }
}

/** The reseller's own customer of that name; another reseller's answers exactly as a missing one. */
export async function ownCustomer(store: Store, reseller: Reseller, username: string | undefined): Promise<Customer | null> {
  if (username === undefined || username === '') return null;
  const customer = await store.findCustomer(username);
  return customer && customer.resellerId === reseller.id ? customer : null;
}
