// The profile a reseller keeps about a customer (v1 distributor.add, SPEC section 9): the
// documented fields, their documented length limits, and the order the profile answer lists
// them in. Stored as given (text), never interpreted: mailtally sends no mail and bills no one.

/** Field → the documented maximum length (customer_management.md, "Create a Customer"). */
export const PROFILE_LIMITS = {
  email: 64,
  first_name: 50,
  last_name: 50,
  address: 100,
  city: 100,
  state: 100,
  zip: 50,
  country: 100,
  phone: 50,
  website: 255,
  company: 255,
  package: 255,
  whitelabel: 255,
} as const;

export type TextField = keyof typeof PROFILE_LIMITS;
export const TEXT_FIELDS = Object.keys(PROFILE_LIMITS) as TextField[];

/** Every stored field: the text fields plus the two with a format of their own. */
export type ProfileField = TextField | 'free_user' | 'billing_date';
export const PROFILE_FIELDS: readonly ProfileField[] = [...TEXT_FIELDS, 'free_user', 'billing_date'];

export type Profile = Record<ProfileField, string>;

/** A customer without a stored profile (created by the CLI) answers with empty fields. */
export const EMPTY_PROFILE: Profile = Object.freeze(Object.fromEntries(PROFILE_FIELDS.map((f) => [f, ''])) as Profile);

/** The fields `method=profile&task=get` filters on and `task=set` changes (the documented lists). */
export const SEARCHABLE_FIELDS = ['email', 'first_name', 'last_name', 'address', 'city', 'state', 'country', 'zip', 'phone', 'website', 'company'] as const satisfies readonly TextField[];
export type SearchableField = (typeof SEARCHABLE_FIELDS)[number];

// A plain address shape: something@something.something, no spaces. The documented rule is only
// "must be in email format"; deliverability is the reseller's business.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const isEmail = (s: string): boolean => EMAIL.test(s) && !hasControl(s);

/** Usernames: the documented 64-character limit, and what the CLI refuses too (validate.ts). */
export const MAX_USERNAME = 64;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;
/** Control characters (NUL above all, which PostgreSQL text cannot hold) are refused in every stored field. */
export const hasControl = (s: string): boolean => CONTROL.test(s);
export function usernameProblem(name: string): string | null {
  if (name.length > MAX_USERNAME) return `must be no more than ${MAX_USERNAME} characters`;
  if (CONTROL.test(name) || name.trim() !== name) return 'must not contain control characters or surrounding spaces';
  return null;
}

/** Passwords become the customer's api_key: the documented minimum of 6, our key maximum. */
export const MIN_PASSWORD = 6;
/** The longest api_key the verifiers take (auth/keys.ts MAX_API_KEY_LENGTH). */
export const MAX_PASSWORD = 1024;
