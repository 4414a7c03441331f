// Dashboard sessions: a signed cookie (HMAC by @fastify/cookie) naming the account's kind and
// name, an expiry, a tag of the account's current key hash and its session version (migrations
// 004 for resellers, 010 for customers). Sign-out, `reseller rotate-key`, `customer set-key` and
// `customer disable` bump the version in the database, so every cookie issued before — a copy
// included — stops working at once, in every process. The check costs nothing extra: it compares
// columns of the account row each dashboard request already reads (and re-reads every time: a
// cache of account rows would have to be invalidated by these bumps). A customer's session also
// stops while it is disabled or has no key, whatever the version says.
// HttpOnly (no script reads it), SameSite=Strict (no other site can make the browser send it),
// Secure whenever the request came over TLS, Path=/dashboard.
import { createHash } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../../auth/account.js';
import type { SessionAccount, Store } from '../../store/types.js';

export const SESSION_COOKIE = 'mt_session';
export const SESSION_TTL_MS = 12 * 3600_000;

const keyTag = (keyHash: Buffer): string => createHash('sha256').update(keyHash).digest('base64url').slice(0, 16);

/** What a cookie names and checks: kind, name, key hash, session version. */
interface Claims {
  kind: Account['kind'];
  name: string;
  keyHash: Buffer;
  version: number;
  ref: SessionAccount;
}

function claimsOf(account: Account, keyHash: Buffer, version: number): Claims {
  return account.kind === 'reseller'
    ? { kind: 'reseller', name: account.reseller.apiUser, keyHash, version, ref: { kind: 'reseller', id: account.reseller.id } }
    : { kind: 'customer', name: account.customer.username, keyHash, version, ref: { kind: 'customer', id: account.customer.id } };
}

/** The account as it stands in the database now, with the values a cookie must match; null when it may not sign in. */
async function current(store: Store, kind: Account['kind'], name: string): Promise<{ account: Account; claims: Claims } | null> {
  if (kind === 'reseller') {
    const reseller = await store.findReseller(name);
    if (!reseller) return null;
    const account: Account = { kind: 'reseller', reseller };
    return { account, claims: claimsOf(account, reseller.keyHash, reseller.sessionVersion) };
  }
  const row = await store.findCustomerAccount(name);
  if (!row || row.disabled || !row.keyHash) return null;
  const account: Account = { kind: 'customer', customer: row.customer };
  return { account, claims: claimsOf(account, row.keyHash, row.sessionVersion) };
}

/**
 * Starts a session for an account whose key was just checked against `verifiedHash`. The row is
 * read again for the session version; false (no cookie) when meanwhile the key was replaced or
 * the customer disabled, so a sign-in under way never outlives them.
 */
export async function startSession(request: FastifyRequest, reply: FastifyReply, account: Account, verifiedHash: Buffer, store: Store, now: number): Promise<boolean> {
  const name = account.kind === 'reseller' ? account.reseller.apiUser : account.customer.username;
  const found = await current(store, account.kind, name);
  if (!found || !found.claims.keyHash.equals(verifiedHash)) return false;
  const { claims } = found;
  const value = Buffer.from(JSON.stringify([claims.kind, claims.name, now + SESSION_TTL_MS, keyTag(claims.keyHash), claims.version])).toString('base64url');
  reply.setCookie(SESSION_COOKIE, value, {
    path: '/dashboard',
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    signed: true,
    maxAge: SESSION_TTL_MS / 1000,
  });
  return true;
}

/** Ends every session of the account, this cookie's copies included, then drops the cookie. */
export async function endSession(request: FastifyRequest, reply: FastifyReply, store: Store, now: number): Promise<void> {
  const session = await sessionClaims(request, store, now);
  if (session) await store.endSessions(session.claims.ref);
  reply.clearCookie(SESSION_COOKIE, { path: '/dashboard' });
}

/** The signed-in account, or null (no cookie, bad signature, expired, signed out, key replaced, disabled). */
export async function sessionAccount(request: FastifyRequest, store: Store, now: number): Promise<Account | null> {
  return (await sessionClaims(request, store, now))?.account ?? null;
}

async function sessionClaims(request: FastifyRequest, store: Store, now: number): Promise<{ account: Account; claims: Claims } | null> {
  const raw = request.cookies[SESSION_COOKIE];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) return null;
  const [kind, name, expires, tag, version] = parsed as unknown[];
  if ((kind !== 'reseller' && kind !== 'customer') || typeof name !== 'string' || typeof expires !== 'number' || typeof tag !== 'string' || expires < now) return null;
  const found = await current(store, kind, name);
  return found && keyTag(found.claims.keyHash) === tag && found.claims.version === version ? found : null;
}
