// Dashboard sessions: a signed cookie (HMAC by @fastify/cookie) naming the account, an expiry,
// a tag of the reseller's current key hash and the account's session version (migration 004).
// Sign-out and `reseller rotate-key` bump the version in the database, so every cookie issued
// before — a copy included — stops working at once, in every process. The check costs nothing
// extra: it compares a column of the account row each dashboard request already reads (and
// re-reads every time: a cache of reseller rows would have to be invalidated by these bumps).
// HttpOnly (no script reads it), SameSite=Strict (no other site can make the browser send it),
// Secure whenever the request came over TLS, Path=/dashboard.
import { createHash } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Reseller, Store } from '../../store/types.js';

export const SESSION_COOKIE = 'mt_session';
export const SESSION_TTL_MS = 12 * 3600_000;
// Names the table the account lives in; customer accounts will sign in with their own kind.
const ACCOUNT_KIND = 'reseller';

const keyTag = (reseller: Reseller): string => createHash('sha256').update(reseller.keyHash).digest('base64url').slice(0, 16);

export function startSession(request: FastifyRequest, reply: FastifyReply, reseller: Reseller, now: number): void {
  const value = Buffer.from(JSON.stringify([ACCOUNT_KIND, reseller.apiUser, now + SESSION_TTL_MS, keyTag(reseller), reseller.sessionVersion])).toString('base64url');
  reply.setCookie(SESSION_COOKIE, value, {
    path: '/dashboard',
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    signed: true,
    maxAge: SESSION_TTL_MS / 1000,
  });
}

/** Ends every session of the account, this cookie's copies included, then drops the cookie. */
export async function endSession(request: FastifyRequest, reply: FastifyReply, store: Store, now: number): Promise<void> {
  const reseller = await sessionReseller(request, store, now);
  if (reseller) await store.endSessions({ kind: ACCOUNT_KIND, id: reseller.id });
  reply.clearCookie(SESSION_COOKIE, { path: '/dashboard' });
}

/** The signed-in reseller, or null (no cookie, bad signature, expired, signed out, key rotated). */
export async function sessionReseller(request: FastifyRequest, store: Store, now: number): Promise<Reseller | null> {
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
  const [kind, apiUser, expires, tag, version] = parsed as unknown[];
  if (kind !== ACCOUNT_KIND || typeof apiUser !== 'string' || typeof expires !== 'number' || typeof tag !== 'string' || expires < now) return null;
  const reseller = await store.findReseller(apiUser);
  return reseller && keyTag(reseller) === tag && reseller.sessionVersion === version ? reseller : null;
}
