// What every command shares: the storage options, --json output, and errors printed as one
// line on stderr with a non-zero exit code (never a stack trace).
import type { Command } from 'commander';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { AlreadyExistsError, StorageUnavailableError } from '../domain/errors.js';
import { createStore } from '../store/index.js';
import type { Store } from '../store/types.js';

export interface CommonOptions {
  db?: string;
  databaseUrl?: string;
  json?: boolean;
}

/** An expected failure with a message meant for the user. */
export class CliError extends Error {}

export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--db <path>', 'SQLite database file (default ./data/mailtally.sqlite, or MAILTALLY_DB)')
    .option('--database-url <url>', 'PostgreSQL URL (postgres://…); also read from DATABASE_URL')
    .option('--json', 'print exactly one JSON object on stdout');
}

export function configFrom(opts: CommonOptions): Readonly<Config> {
  const base = loadConfig();
  return Object.freeze({
    ...base,
    dbPath: opts.db ?? base.dbPath,
    databaseUrl: opts.databaseUrl ?? base.databaseUrl,
  });
}

/**
 * `writes: 'threaded'` for the commands that write at volume (serve, events import): batches go
 * to the SQLite writer thread unless MAILTALLY_WRITER_THREAD=0. Other commands write a row or two
 * and stay on one connection.
 */
export async function openStore(config: Readonly<Config>, writes: 'threaded' | 'inline' = 'inline'): Promise<Store> {
  if (config.databaseUrl && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    throw new CliError('--database-url must be a postgres:// URL');
  }
  try {
    return await createStore({ ...config, poolSize: config.poolSize }, {
      retentionMs: config.retentionMs,
      readCacheBytes: config.readCacheBytes,
      writerThread: writes === 'threaded' && config.writerThread,
      quarantine: { maxPerCustomer: config.quarantineMaxPerCustomer, payloadBytes: config.quarantinePayloadBytes },
    });
  } catch (err) {
    if (err instanceof StorageUnavailableError) throw new CliError(`cannot open the database: ${err.message}`);
    throw err;
  }
}

/** Runs `fn` with an open store and closes it after, whatever happens. */
export async function withStore<T>(opts: CommonOptions, fn: (store: Store, config: Readonly<Config>) => Promise<T>, writes: 'threaded' | 'inline' = 'inline'): Promise<T> {
  const config = configFrom(opts);
  const store = await openStore(config, writes);
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

export function print(opts: CommonOptions, json: object, human: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(json)}\n` : `${human}\n`);
}

export function failureMessage(err: unknown): string {
  if (err instanceof CliError || err instanceof ConfigError) return err.message;
  if (err instanceof StorageUnavailableError) return `the database is unavailable (${err.message}); try again`;
  if (err instanceof AlreadyExistsError) return 'already exists';
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return `database error (${code})`;
  return `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
}
