// Dashboard sessions: a signed cookie (HMAC by @fastify/cookie) naming the reseller, an expiry
// and a tag of the reseller's current key hash — so `reseller rotate-key` signs every session
// of that reseller out, in every process, without server-side session state.
// HttpOnly (no script reads it), SameSite=Strict (no other site can make the browser send it),
// Secure whenever the request came over TLS, Path=/dashboard.
import { createHash } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Reseller, Store } from '../../store/types.js';

export const SESSION_COOKIE = 'mt_session';
export const SESSION_TTL_MS = 12 * 3600_000;

const keyTag = (reseller: Reseller): string => createHash('sha256').update(reseller.keyHash).digest('base64url').slice(0, 16);

export function startSession(request: FastifyRequest, reply: FastifyReply, reseller: Reseller, now: number): void {
  const value = Buffer.from(JSON.stringify([reseller.apiUser, now + SESSION_TTL_MS, keyTag(reseller)])).toString('base64url');
  reply.setCookie(SESSION_COOKIE, value, {
    path: '/dashboard',
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    signed: true,
    maxAge: SESSION_TTL_MS / 1000,
  });
}

export function endSession(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/dashboard' });
}

/** The signed-in reseller, or null (no cookie, bad signature, expired, key rotated). */
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
  if (!Array.isArray(parsed) || parsed.length !== 3) return null;
  const [apiUser, expires, tag] = parsed as [unknown, unknown, unknown];
  if (typeof apiUser !== 'string' || typeof expires !== 'number' || typeof tag !== 'string' || expires < now) return null;
  const reseller = await store.findReseller(apiUser);
  return reseller && keyTag(reseller) === tag ? reseller : null;
}
