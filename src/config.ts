// The environment, read once at start into a typed, frozen object. Nothing else reads
// process.env; command-line flags override what is read here.
import { isIP } from 'node:net';

export interface Config {
  /** SQLite file used unless databaseUrl is set. */
  dbPath: string;
  /** postgres:// URL; selects PostgreSQL. */
  databaseUrl: string | undefined;
  port: number;
  host: string;
  /** Deduplication and first-open/click markers are honoured this long (SPEC section 5). */
  retentionMs: number;
  /** Largest webhook body accepted. */
  webhookBodyLimit: number;
  /** Most events one webhook body may hold; more is refused with 413. */
  maxEventsPerBody: number;
  /** A webhook item larger than this is rejected (and quarantined truncated) without being parsed. */
  maxEventBytes: number;
  /** Quarantined events are kept this long, then pruned. */
  quarantineRetentionMs: number;
  /** Quarantined events kept per customer; the oldest go first. */
  quarantineMaxPerCustomer: number;
  /** A quarantined event's stored text is cut to this many bytes (with a marker). */
  quarantinePayloadBytes: number;
  /** How long a verified api_user/api_key pair is trusted without re-running scrypt. */
  credentialCacheMs: number;
  logLevel: string;
  /** PostgreSQL connections per process. */
  poolSize: number;
  /** How often expired deduplication state is pruned. */
  pruneIntervalMs: number;
  /**
   * Addresses/CIDRs of the reverse proxies whose X-Forwarded-* headers are believed (empty:
   * none). Never "any": a client could then choose the address its guesses are counted under.
   */
  trustProxy: readonly string[];
  /** Slow key checks (scrypt) run at once per process; they use libuv's 4-thread pool. */
  keyChecks: number;
  /** Key checks that may wait for a free slot; beyond, 503 at once. */
  keyCheckQueue: number;
  /** Signs dashboard sessions; set the same value on every process behind one load balancer. */
  sessionSecret: string | undefined;
  /** Bytes the SQLite read cache may hold; 0 turns it off. */
  readCacheBytes: number;
  /** SQLite: batches applied on a writer thread, several per commit (MAILTALLY_WRITER_THREAD, default on). */
  writerThread: boolean;
  /** Open connections the server keeps at most; more are closed as they arrive. */
  maxConnections: number;
  /** Open connections one client address keeps at most (0: no per-address cap). */
  maxConnectionsPerIp: number;
  /** A request (headers and body) not received within this is answered 408 and closed. */
  requestTimeoutMs: number;
  /** On SIGTERM, how long requests in flight may take before their connections are cut. */
  shutdownGraceMs: number;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw new ConfigError(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be true or false`);
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function proxyEntryValid(entry: string): boolean {
  if (PROXY_NAMES.includes(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function trustedProxies(env: NodeJS.ProcessEnv): string[] {
  const raw = (env.MAILTALLY_TRUST_PROXY ?? '').trim();
  if (raw === '' || raw === '0' || raw.toLowerCase() === 'false') return [];
  if (raw === '1' || raw.toLowerCase() === 'true') {
    throw new ConfigError(
      'MAILTALLY_TRUST_PROXY=true would let any client choose its address with X-Forwarded-For; list your proxies instead, e.g. MAILTALLY_TRUST_PROXY=127.0.0.1,10.0.0.0/8',
    );
  }
  const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
  const bad = entries.find((e) => !proxyEntryValid(e));
  if (bad !== undefined) {
    throw new ConfigError(`MAILTALLY_TRUST_PROXY: "${bad}" is not an IP address, a CIDR (address/prefix) or one of ${PROXY_NAMES.join(', ')}`);
  }
  return entries;
}

function sessionSecret(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.MAILTALLY_SESSION_SECRET;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 32) throw new ConfigError('MAILTALLY_SESSION_SECRET must be at least 32 characters');
  return raw;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const logLevel = env.MAILTALLY_LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`MAILTALLY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return Object.freeze({
    dbPath: env.MAILTALLY_DB || './data/mailtally.sqlite',
    databaseUrl: env.DATABASE_URL || undefined,
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    retentionMs: integer(env, 'MAILTALLY_RETENTION_DAYS', 7, 1, 3650) * 86_400_000,
    webhookBodyLimit: integer(env, 'MAILTALLY_WEBHOOK_BODY_LIMIT', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxEventsPerBody: integer(env, 'MAILTALLY_MAX_EVENTS_PER_BODY', 10_000, 1, 1_000_000),
    maxEventBytes: integer(env, 'MAILTALLY_MAX_EVENT_BYTES', 256 * 1024, 1024, 16 * 1024 * 1024),
    quarantineRetentionMs: integer(env, 'MAILTALLY_QUARANTINE_DAYS', 30, 1, 3650) * 86_400_000,
    quarantineMaxPerCustomer: integer(env, 'MAILTALLY_QUARANTINE_MAX_PER_CUSTOMER', 10_000, 1, 10_000_000),
    quarantinePayloadBytes: integer(env, 'MAILTALLY_QUARANTINE_PAYLOAD_BYTES', 16 * 1024, 256, 16 * 1024 * 1024),
    credentialCacheMs: integer(env, 'MAILTALLY_CREDENTIAL_CACHE_SECONDS', 60, 0, 3600) * 1000,
    logLevel,
    poolSize: integer(env, 'MAILTALLY_PG_POOL_SIZE', 10, 1, 200),
    pruneIntervalMs: integer(env, 'MAILTALLY_PRUNE_INTERVAL_SECONDS', 300, 1, 86_400) * 1000,
    trustProxy: Object.freeze(trustedProxies(env)),
    keyChecks: integer(env, 'MAILTALLY_KEY_CHECKS', 2, 1, 64),
    keyCheckQueue: integer(env, 'MAILTALLY_KEY_CHECK_QUEUE', 32, 0, 10_000),
    sessionSecret: sessionSecret(env),
    readCacheBytes: integer(env, 'MAILTALLY_READ_CACHE_MB', 64, 0, 65_536) * 1024 * 1024,
    writerThread: (env.MAILTALLY_WRITER_THREAD ?? '') === '' || flag(env, 'MAILTALLY_WRITER_THREAD'),
    maxConnections: integer(env, 'MAILTALLY_MAX_CONNECTIONS', 10_000, 1, 1_000_000),
    maxConnectionsPerIp: integer(env, 'MAILTALLY_MAX_CONNECTIONS_PER_IP', 256, 0, 1_000_000),
    requestTimeoutMs: integer(env, 'MAILTALLY_REQUEST_TIMEOUT_SECONDS', 30, 1, 3600) * 1000,
    shutdownGraceMs: integer(env, 'MAILTALLY_SHUTDOWN_GRACE_SECONDS', 25, 0, 3600) * 1000,
  });
}
