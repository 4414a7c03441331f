// Slows down guessing without letting an attacker lock a real reseller out:
// - an address with too many failures in a minute is refused (429) until the minute ends;
// - an api_user with too many failures (from anywhere) is not refused outright: each address
//   may then try that api_user only once every few seconds. The real reseller, from its own
//   address, still gets its attempt through, and once verified it rides the credential cache,
//   which is checked before any of this.
// An attempt is counted when its check *starts* (reserve) and forgiven if the key was right:
// counting only failed checks let a burst of simultaneous guesses all start before the first
// one failed. Addresses are throttle keys (clientAddress.ts: IPv6 per /64).
// State is per process and in memory; behind a proxy, list it in MAILTALLY_TRUST_PROXY so the
// address is the client's, not the proxy's.

const WINDOW_MS = 60_000;
const MAX_TRACKED = 50_000;

export interface ThrottleLimits {
  failuresPerAddress: number;
  failuresPerUser: number;
  /** Once an api_user is over its limit: the gap each address must leave between tries. */
  userSlowdownMs: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = { failuresPerAddress: 20, failuresPerUser: 20, userSlowdownMs: 5_000 };

interface Window {
  count: number;
  resetAt: number;
}

function prune<V>(map: Map<string, V>, expired: (v: V) => boolean): void {
  if (map.size < MAX_TRACKED) return;
  for (const [k, v] of map) if (expired(v)) map.delete(k);
  if (map.size >= MAX_TRACKED) map.clear();
}

export class AuthThrottle {
  private readonly byAddress = new Map<string, Window>();
  private readonly byUser = new Map<string, Window>();
  private readonly lastTry = new Map<string, number>();

  constructor(private readonly limits: ThrottleLimits = DEFAULT_LIMITS) {}

  private failures(map: Map<string, Window>, key: string, now: number): number {
    const w = map.get(key);
    return w && w.resetAt > now ? w.count : 0;
  }

  /**
   * Seconds to wait before this attempt may be checked, or 0 when it may go ahead now. Changes
   * nothing: an attempt that goes ahead is then `reserve`d. `apiUser` undefined: a credential
   * with no account name (a Bearer key), held to the per-address limit only.
   */
  refusal(address: string, apiUser: string | undefined, now = Date.now()): number {
    return this.addressRefusal(address, now) || this.userRefusal(address, apiUser, now);
  }

  /** The per-address part of `refusal`. */
  addressRefusal(address: string, now = Date.now()): number {
    if (this.failures(this.byAddress, address, now) < this.limits.failuresPerAddress) return 0;
    return Math.max(1, Math.ceil(((this.byAddress.get(address)?.resetAt ?? now) - now) / 1000));
  }

  /** The per-api_user part of `refusal`: one try per address every few seconds once over. */
  userRefusal(address: string, apiUser: string | undefined, now = Date.now()): number {
    if (apiUser === undefined || this.failures(this.byUser, apiUser, now) < this.limits.failuresPerUser) return 0;
    const wait = (this.lastTry.get(`${apiUser}\0${address}`) ?? 0) + this.limits.userSlowdownMs - now;
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  /** Counts an attempt as failed before it is checked; `forgive` takes it back if it was right. */
  reserve(address: string, apiUser: string | undefined, now = Date.now()): void {
    if (apiUser !== undefined && this.failures(this.byUser, apiUser, now) >= this.limits.failuresPerUser) {
      prune(this.lastTry, (t) => t + this.limits.userSlowdownMs < now);
      this.lastTry.set(`${apiUser}\0${address}`, now);
    }
    this.bump(this.byAddress, address, now);
    if (apiUser !== undefined) this.bump(this.byUser, apiUser, now);
  }

  forgive(address: string, apiUser: string | undefined, now = Date.now()): void {
    for (const [map, key] of [
      [this.byAddress, address],
      [this.byUser, apiUser],
    ] as const) {
      if (key === undefined) continue;
      const w = map.get(key);
      if (w && w.resetAt > now && w.count > 0) w.count--;
    }
  }

  private bump(map: Map<string, Window>, key: string, now: number): void {
    const w = map.get(key);
    if (w && w.resetAt > now) w.count++;
    else {
      prune(map, (v) => v.resetAt <= now);
      map.set(key, { count: 1, resetAt: now + WINDOW_MS });
    }
  }
}
