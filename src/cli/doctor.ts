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
import { formatDay } from '../domain/calendar.js';
import { latestMigration } from '../store/migrations.js';
import { DatabaseMissingError, probeNameClashes, probeSchemaVersion } from '../store/schemaProbe.js';
import { BackupRefused, type BackupContents, inspectSqliteBackup } from '../store/sqliteBackup.js';
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
  const checks = [
    { name: 'storage', ok: true, detail: `${storageName(config)} answers` },
    { name: 'migrations', ok: schema.ok, detail: schema.detail },
  ];
  if (applied >= 1) checks.push(await namesCheck(config));
  return checks;
}

/** Resellers and customers share one namespace (SPEC section 8); names stored before may clash. */
async function namesCheck(config: Readonly<Config>): Promise<Check> {
  let clashes: string[];
  try {
    clashes = await probeNameClashes({ dbPath: config.dbPath, databaseUrl: config.databaseUrl });
  } catch (err) {
    return { name: 'account names', ok: false, detail: `not checked: ${failureMessage(err)}` };
  }
  if (clashes.length === 0) return { name: 'account names', ok: true, detail: 'no name is both a reseller and a customer' };
  return {
    name: 'account names',
    ok: false,
    detail: `both a reseller and a customer: ${clashes.join(', ')}${clashes.length >= 20 ? ', …' : ''} (such a name signs in only as the reseller; rename one of them)`,
  };
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

/**
 * A backup file instead of the installation: sound (integrity_check), a mailtally database at a
 * migration this version can start from, and what it holds — read-only, the file is not changed.
 */
export function backupChecks(file: string): { checks: Check[]; backup?: Record<string, unknown> } {
  const checks = [nodeCheck()];
  let inspection;
  try {
    inspection = inspectSqliteBackup(file);
  } catch (err) {
    const detail = err instanceof DatabaseMissingError ? `${file} does not exist` : err instanceof BackupRefused ? err.message : failureMessage(err);
    checks.push({ name: 'backup file', ok: false, detail });
    return { checks };
  }
  checks.push({ name: 'backup file', ok: true, detail: `${file}: SQLite, ${inspection.bytes} bytes` });
  const sound = inspection.integrity.length === 1 && inspection.integrity[0] === 'ok';
  checks.push({ name: 'integrity', ok: sound, detail: sound ? 'integrity_check: ok' : `integrity_check: ${inspection.integrity.join('; ')}` });
  const found: BackupContents | null = inspection.contents;
  if (!sound) return { checks };
  if (!found) {
    checks.push({ name: 'migrations', ok: false, detail: 'not a mailtally database (no schema_migrations table)' });
    return { checks };
  }
  const expected = latestMigration('sqlite');
  const migrated =
    found.migration < expected ? `; this mailtally (${expected}) migrates it when it starts on it` : found.migration > expected ? ` (newer than this mailtally's ${expected})` : '';
  checks.push({ name: 'migrations', ok: found.migration >= 1, detail: `schema at migration ${found.migration}${migrated}` });
  const newest = found.newestDay === null ? 'none' : formatDay(found.newestDay);
  checks.push({
    name: 'contents',
    ok: true,
    detail: `resellers: ${found.resellers}, customers: ${found.customers}, daily rows: ${found.dailyRows}, newest day with statistics: ${newest}`,
  });
  const backup = {
    file,
    bytes: inspection.bytes,
    migration: found.migration,
    resellers: found.resellers,
    customers: found.customers,
    daily_rows: found.dailyRows,
    newest_day: found.newestDay === null ? null : formatDay(found.newestDay),
  };
  return { checks, backup };
}

export function doctorCommand(): Command {
  return withCommonOptions(
    new Command('doctor')
      .description('check configuration, storage and migrations without changing anything; exit 1 when a check fails')
      .option('--backup <file>', 'check a backup file (from db backup) instead of the installation; it is not changed'),
  ).action(async (opts: CommonOptions & { backup?: string }) => {
    const { checks, backup } = opts.backup !== undefined ? backupChecks(opts.backup) : { checks: await runChecks(opts), backup: undefined };
    const ok = checks.every((c) => c.ok);
    if (opts.json) process.stdout.write(`${JSON.stringify(backup ? { ok, checks, backup } : { ok, checks })}\n`);
    else process.stdout.write(checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}\n`).join(''));
    // A failed check is a result, not an error: no "mailtally: …" line, just the exit code.
    if (!ok) process.exitCode = 1;
  });
}
