// `mailtally doctor`: is this installation ready to serve? Checks Node, the configuration, the
// SQLite data folder, that storage answers and that its schema is current (the /readyz rule).
// It changes nothing: unlike every other command it does not create the database or apply
// migrations, so it can be pointed at a production database, or at a mistyped path, safely.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import type { Config } from '../config.js';
import { StorageUnavailableError } from '../domain/errors.js';
import { schemaStatus } from '../services/readiness.js';
import { latestMigration } from '../store/migrations.js';
import { DatabaseMissingError, probeSchemaVersion } from '../store/schemaProbe.js';
import { type CommonOptions, configFrom, failureMessage, withCommonOptions } from './common.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const MIN_NODE_MAJOR = 20;

function nodeCheck(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  return { name: 'node', ok: major >= MIN_NODE_MAJOR, detail: `v${process.versions.node} (${MIN_NODE_MAJOR} or later required)` };
}

/** A URL fit for a terminal: the password is never printed. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

const storageName = (config: Readonly<Config>): string =>
  config.databaseUrl ? `PostgreSQL ${redactedUrl(config.databaseUrl)}` : `SQLite ${config.dbPath}`;

function configCheck(opts: CommonOptions): { check: Check; config?: Readonly<Config> } {
  let config: Readonly<Config>;
  try {
    config = configFrom(opts);
  } catch (err) {
    return { check: { name: 'configuration', ok: false, detail: failureMessage(err) } };
  }
  if (config.databaseUrl && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    return { check: { name: 'configuration', ok: false, detail: '--database-url / DATABASE_URL must be a postgres:// URL' } };
  }
  return { check: { name: 'configuration', ok: true, detail: `environment and options are valid; storage: ${storageName(config)}` }, config };
}

/** SQLite writes the file and its -wal/-shm companions next to it: the folder must be writable. */
function dataFolderCheck(dbPath: string): Check {
  const folder = dirname(resolve(dbPath));
  // The nearest folder that exists decides: missing ones below it are created on first use.
  let existing = folder;
  while (!exists(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    if (!statSync(existing).isDirectory()) return { name: 'data folder', ok: false, detail: `${existing} is not a folder` };
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    return { name: 'data folder', ok: false, detail: `${existing} is not writable by this user` };
  }
  const detail = existing === folder ? `${folder} is writable` : `${folder} does not exist yet; ${existing} is writable, so it will be created on first use`;
  return { name: 'data folder', ok: true, detail };
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Storage reachability and the schema, from one read-only probe. */
async function storageChecks(config: Readonly<Config>): Promise<Check[]> {
  const backend = config.databaseUrl ? 'postgres' : 'sqlite';
  let applied: number;
  try {
    applied = await probeSchemaVersion({ dbPath: config.dbPath, databaseUrl: config.databaseUrl });
  } catch (err) {
    let detail: string;
    if (err instanceof DatabaseMissingError) detail = `${config.dbPath} does not exist yet (any mailtally command, e.g. serve, creates it; check --db / MAILTALLY_DB)`;
    else if (err instanceof StorageUnavailableError) detail = `cannot reach ${storageName(config)} (${err.message})`;
    else detail = `${storageName(config)}: ${failureMessage(err)}`;
    return [
      { name: 'storage', ok: false, detail },
      { name: 'migrations', ok: false, detail: 'not checked: the storage check failed' },
    ];
  }
  const schema = schemaStatus(applied, latestMigration(backend));
  return [
    { name: 'storage', ok: true, detail: `${storageName(config)} answers` },
    { name: 'migrations', ok: schema.ok, detail: schema.detail },
  ];
}

export async function runChecks(opts: CommonOptions): Promise<Check[]> {
  const checks = [nodeCheck()];
  const { check, config } = configCheck(opts);
  checks.push(check);
  if (!config) {
    checks.push({ name: 'storage', ok: false, detail: 'not checked: the configuration is invalid' });
    return checks;
  }
  if (!config.databaseUrl) checks.push(dataFolderCheck(config.dbPath));
  checks.push(...(await storageChecks(config)));
  return checks;
}

export function doctorCommand(): Command {
  return withCommonOptions(new Command('doctor').description('check configuration, storage and migrations without changing anything; exit 1 when a check fails')).action(
    async (opts: CommonOptions) => {
      const checks = await runChecks(opts);
      const ok = checks.every((c) => c.ok);
      if (opts.json) process.stdout.write(`${JSON.stringify({ ok, checks })}\n`);
      else process.stdout.write(checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}\n`).join(''));
      // A failed check is a result, not an error: no "mailtally: …" line, just the exit code.
      if (!ok) process.exitCode = 1;
    },
  );
}
