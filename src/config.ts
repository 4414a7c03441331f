// The environment, read once at start into a typed, frozen object. Nothing else reads
// process.env; command-line flags override what is read here.

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
  /** How long a verified api_user/api_key pair is trusted without re-running scrypt. */
  credentialCacheMs: number;
  logLevel: string;
  /** PostgreSQL connections per process. */
  poolSize: number;
  /** How often expired deduplication state is pruned. */
  pruneIntervalMs: number;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy / load balancer). */
  trustProxy: boolean;
  /** Signs dashboard sessions; set the same value on every process behind one load balancer. */
  sessionSecret: string | undefined;
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
    credentialCacheMs: integer(env, 'MAILTALLY_CREDENTIAL_CACHE_SECONDS', 60, 0, 3600) * 1000,
    logLevel,
    poolSize: integer(env, 'MAILTALLY_PG_POOL_SIZE', 10, 1, 200),
    pruneIntervalMs: integer(env, 'MAILTALLY_PRUNE_INTERVAL_SECONDS', 300, 1, 86_400) * 1000,
    trustProxy: flag(env, 'MAILTALLY_TRUST_PROXY'),
    sessionSecret: sessionSecret(env),
    maxConnections: integer(env, 'MAILTALLY_MAX_CONNECTIONS', 10_000, 1, 1_000_000),
    maxConnectionsPerIp: integer(env, 'MAILTALLY_MAX_CONNECTIONS_PER_IP', 256, 0, 1_000_000),
    requestTimeoutMs: integer(env, 'MAILTALLY_REQUEST_TIMEOUT_SECONDS', 30, 1, 3600) * 1000,
    shutdownGraceMs: integer(env, 'MAILTALLY_SHUTDOWN_GRACE_SECONDS', 25, 0, 3600) * 1000,
  });
}
