import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { CopyRefused, copySqliteToPostgres } from '../store/copy.js';
import { CliError, type CommonOptions, configFrom, print, withCommonOptions } from './common.js';

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
  return db;
}
