// Every slow key check (scrypt: ~50–100 ms of a libuv thread) passes this one gate, whichever
// door the key came through — v1/v2 parameters, v3 Bearer, webhook Basic auth, dashboard
// sign-in — so an address has ONE budget and the process has one bounded amount of hashing.
//
// - The address's attempt is counted before the check starts (throttle.ts), so a burst of
//   simultaneous guesses cannot all start before the first one fails.
// - An address may have only a few checks running or waiting at once; more is 429 at once.
// - The whole process runs at most `concurrentChecks` hashes at a time (libuv's pool has 4
//   threads, which file writes and DNS also need) with a short queue; beyond it, 503 at once
//   with Retry-After, so a flood is refused in microseconds instead of queueing for seconds in
//   front of a real tenant's sign-in.
// - The same credentials checked by several requests at once are hashed once (a reseller's
//   integration firing requests in parallel on a cold cache) and count as one attempt.
import { ApiError, tooManyAttempts } from '../domain/errors.js';
import { clientKey } from '../domain/clientAddress.js';
import { AuthThrottle, DEFAULT_LIMITS, type ThrottleLimits } from './throttle.js';

export interface GateLimits extends ThrottleLimits {
  /** Key checks hashing at once in this process. */
  concurrentChecks: number;
  /** Key checks allowed to wait for one of those; beyond, 503 at once. */
  queuedChecks: number;
  /** Key checks one address may have running or waiting; beyond, 429 at once. */
  checksPerAddress: number;
}

export const DEFAULT_GATE_LIMITS: GateLimits = { ...DEFAULT_LIMITS, concurrentChecks: 2, queuedChecks: 32, checksPerAddress: 2 };

const tooManyAtOnce = (): ApiError => new ApiError('too_many_requests', ['Too many simultaneous authentication attempts; retry later'], 1);
const busy = (): ApiError => new ApiError('unavailable', ['error in server: too many credential checks in progress, retry later'], 1);

export class KeyCheckGate {
  private readonly throttle: AuthThrottle;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly perAddress = new Map<string, number>();
  private readonly flights = new Map<string, Promise<unknown>>();

  constructor(private readonly limits: GateLimits = DEFAULT_GATE_LIMITS) {
    this.throttle = new AuthThrottle(limits);
  }

  /**
   * Runs `slow` (the key check: the account when the key is right, else null) under the
   * budget of `address` and the process-wide cap, or throws 429/503 without running it.
   * `account` names the account the credentials claim (undefined for a Bearer key); `flightKey`
   * identifies the credentials themselves (a digest, never the key).
   */
  async check<T>(address: string, account: string | undefined, flightKey: string, slow: () => Promise<T | null>): Promise<T | null> {
    const client = clientKey(address);
    // Joining a check of the very same credentials adds no hashing and no new guess: the guess is
    // counted once, by the request that started the check. So neither the address budget nor the
    // per-api_user slowdown holds back an owner's burst of parallel requests on a cold cache (a
    // webhook sender's concurrent batches after a restart), and repeating one wrong key in
    // parallel still costs an attacker exactly one attempt.
    const flight = this.flights.get(flightKey) as Promise<T | null> | undefined;
    if (flight) return flight;

    const wait = this.throttle.addressRefusal(client);
    if (wait > 0) throw tooManyAttempts(wait);
    const userWait = this.throttle.userRefusal(client, account);
    if (userWait > 0) throw tooManyAttempts(userWait);
    if ((this.perAddress.get(client) ?? 0) >= this.limits.checksPerAddress) throw tooManyAtOnce();
    if (this.running >= this.limits.concurrentChecks && this.waiting.length >= this.limits.queuedChecks) throw busy();

    this.throttle.reserve(client, account);
    this.perAddress.set(client, (this.perAddress.get(client) ?? 0) + 1);
    const run = this.hashing(slow);
    this.flights.set(flightKey, run);
    const done = (): void => {
      this.flights.delete(flightKey);
      const left = (this.perAddress.get(client) ?? 1) - 1;
      if (left > 0) this.perAddress.set(client, left);
      else this.perAddress.delete(client);
    };
    run.then(done, done);
    return this.settle(run, client, account);
  }

  /** Checks hashing now and waiting, for /metrics and tests. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** The attempt stays counted only when the key was checked and found wrong. */
  private async settle<T>(outcome: Promise<T | null>, client: string, account: string | undefined): Promise<T | null> {
    try {
      const result = await outcome;
      if (result !== null) this.throttle.forgive(client, account);
      return result;
    } catch (err) {
      this.throttle.forgive(client, account); // storage trouble is not a wrong key
      throw err;
    }
  }

  private async hashing<T>(slow: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.concurrentChecks) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await slow();
    } finally {
      // Hand the slot straight to the next waiter, so `running` never dips and lets a newcomer
      // jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
