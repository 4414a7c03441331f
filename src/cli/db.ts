import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { CopyRefused, copySqliteToPostgres } from '../store/copy.js';
import { BackupRefused, backupSqlite } from '../store/sqliteBackup.js';
import { CliError, type CommonOptions, configFrom, print, withCommonOptions } from './common.js';
import { redactedUrl } from './doctor.js';

export function dbCommand(): Command {
  const db = new Command('db').description('database maintenance');
  withCommonOptions(
    db
      .command('copy')
      .description('copy the whole SQLite installation (--db) into an empty PostgreSQL database')
      .requiredOption('--to <url>', 'the target postgres:// URL'),
  ).action(async (opts: CommonOptions & { to: string }) => {
    if (!/^postgres(ql)?:\/\//.test(opts.to)) throw new CliError('--to must be a postgres:// URL');
    const { dbPath } = configFrom({ ...opts, databaseUrl: undefined });
    if (!existsSync(dbPath)) throw new CliError(`no SQLite database at ${dbPath}`);
    let copied: Record<string, number>;
    try {
      copied = await copySqliteToPostgres(dbPath, opts.to, (table, rows) => {
        if (!opts.json) process.stderr.write(`copied ${table}: ${rows} rows\n`);
      });
    } catch (err) {
      if (err instanceof CopyRefused) throw new CliError(err.message);
      throw err;
    }
    print(opts, { copied }, `copied ${dbPath} to PostgreSQL`);
  });

  withCommonOptions(
    db
      .command('backup')
      .description('write a consistent copy of the SQLite database (--db) to <file> while it serves')
      .argument('<file>', 'the backup file to write')
      .option('--force', 'replace <file> if it exists'),
  ).action(async (file: string, opts: CommonOptions & { force?: boolean }) => {
    const { dbPath, databaseUrl } = configFrom(opts);
    if (databaseUrl) {
      // pg_dump takes a consistent snapshot of a live PostgreSQL database and matches the
      // server's own version; doing it here would mean shipping or guessing one.
      throw new CliError(
        `db backup copies a SQLite database; for PostgreSQL use pg_dump: pg_dump -Fc -f ${file} '${redactedUrl(databaseUrl)}' (restore with pg_restore; see the README, Backups)`,
      );
    }
    let result;
    try {
      result = await backupSqlite(dbPath, file, { force: opts.force === true });
    } catch (err) {
      if (err instanceof BackupRefused) throw new CliError(err.message);
      throw err;
    }
    const { path, bytes, migration, resellers, customers, dailyRows } = result;
    print(
      opts,
      { backup: path, bytes, migration, resellers, customers, daily_rows: dailyRows },
      `backed up ${dbPath} to ${path} (${bytes} bytes; migration ${migration}; resellers: ${resellers}, customers: ${customers})`,
    );
  });
  return db;
}
