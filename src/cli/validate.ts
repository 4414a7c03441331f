// Names accepted by the CLI. api_user cannot hold ':' because HTTP Basic authentication (the
// webhook URL) splits user and key at the first colon.
import { MAX_API_KEY_LENGTH, generateApiKey } from '../auth/keys.js';
import type { Store } from '../store/types.js';
import { CliError } from './common.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;

export function checkName(kind: string, value: string, { colon }: { colon: boolean }): string {
  if (value.length === 0 || value.length > 255) throw new CliError(`${kind} must be 1 to 255 characters`);
  if (CONTROL.test(value) || value.trim() !== value) throw new CliError(`${kind} must not contain control characters or surrounding spaces`);
  if (!colon && value.includes(':')) throw new CliError(`${kind} must not contain ':'`);
  return value;
}

export const MIN_API_KEY_LENGTH = 8;

/** The --api-key given (checked), or a generated 256-bit key. */
export function chosenOrGeneratedKey(given: string | undefined): string {
  if (given === undefined) return generateApiKey();
  if (given.length < MIN_API_KEY_LENGTH || given.length > MAX_API_KEY_LENGTH) {
    throw new CliError(`--api-key must be ${MIN_API_KEY_LENGTH} to ${MAX_API_KEY_LENGTH} characters`);
  }
  return given;
}

// A Bearer key alone names its account, so no key may be held by two accounts of either kind;
// the unique indexes guard each table, these checks guard across the two.
export async function keyHeldByCustomer(store: Store, digest: Buffer): Promise<boolean> {
  return (await store.findCustomerByKeyDigest(digest)) !== null;
}

export async function keyHeldByReseller(store: Store, digest: Buffer): Promise<boolean> {
  return (await store.findResellerByKeyDigest(digest)) !== null;
}
