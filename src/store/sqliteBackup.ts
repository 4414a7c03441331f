// `mailtally db backup` and `doctor --backup`: a consistent copy of a live SQLite installation,
// and a read-only look at such a copy.
//
// The copy uses SQLite's online backup API. It reads the database inside one read transaction,
// which in WAL mode never blocks the server's writers, so the copy is one committed state of
// the database: every batch committed before it began, none half. It is written under a
// temporary name beside the target, checked, switched to a single self-contained file
// (journal_mode=DELETE: no -wal/-shm companions to lose), and only then moved into place — a
// failed or interrupted backup never leaves a half file under the target's name, nor replaces
// the previous backup.
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION_SQL } from './migrations.js';
import { DatabaseMissingError } from './schemaProbe.js';

/** A backup the command will not take, with the reason meant for the user. */
export class BackupRefused extends Error {}

export interface BackupContents {
  /** Highest migration applied to the copy. */
  migration: number;
  resellers: number;
  customers: number;
  dailyRows: number;
  /** The newest day holding statistics (epoch day), or null when there is none. */
  newestDay: number | null;
}

export interface BackupResult extends BackupContents {
  path: string;
  bytes: number;
}

const BUSY_TIMEOUT_MS = 5_000;
// Pages per backup step: all of them. Between two steps SQLite lets go of its read transaction,
// and a commit by the server in that gap restarts the copy; under continuous ingest small steps
// could restart forever. One step holds one read snapshot for the whole copy instead (WAL
// readers do not block writers, so the server is not held up).
const ALL_PAGES = 0x7fffffff;

function contents(db: Database.Database): BackupContents {
  const count = (table: string): number => Number((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);
  const newest = (db.prepare('SELECT MAX(day) AS day FROM daily_stats').get() as { day: number | null }).day;
  return {
    migration: Number((db.prepare(SCHEMA_VERSION_SQL).get() as { version: number }).version),
    resellers: count('resellers'),
    customers: count('customers'),
    dailyRows: count('daily_stats'),
    newestDay: newest === null ? null : Number(newest),
  };
}

const isMailtally = (db: Database.Database): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;

function samePath(a: string, b: string): boolean {
  const real = (p: string): string => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}

/** Makes a rename survive a power cut: the folder's entry is on disk too. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems cannot fsync a folder; the file itself is already synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function removePartial(path: string): void {
  for (const p of [path, `${path}-journal`, `${path}-wal`, `${path}-shm`]) rmSync(p, { force: true });
}

/** Copies the SQLite database at `source` to `target` while other processes keep using it. */
export async function backupSqlite(source: string, target: string, options: { force?: boolean } = {}): Promise<BackupResult> {
  if (!existsSync(source)) throw new BackupRefused(`no SQLite database at ${source}`);
  if (samePath(source, target)) throw new BackupRefused('the backup file must not be the database itself');
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) throw new BackupRefused(`${target} is a folder; name the backup file`);
    if (!options.force) throw new BackupRefused(`${target} already exists; pass --force to replace it`);
  }
  const folder = dirname(resolve(target));
  mkdirSync(folder, { recursive: true });
  const partial = join(folder, `.${basename(target)}.partial-${process.pid}`);
  removePartial(partial);

  try {
    const db = new Database(source, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    try {
      if (!isMailtally(db)) throw new BackupRefused(`${source} is not a mailtally database`);
      await db.backup(partial, { progress: () => ALL_PAGES });
    } finally {
      db.close();
    }

    const copy = new Database(partial, { fileMustExist: true });
    let found: BackupContents;
    try {
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed its check: ${String(check)}`);
      found = contents(copy);
    } finally {
      copy.close();
    }

    if (options.force) {
      renameSync(partial, target);
    } else {
      // link() refuses an existing name atomically: a file that appeared meanwhile is kept.
      try {
        linkSync(partial, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupRefused(`${target} already exists; pass --force to replace it`);
        throw err;
      }
      rmSync(partial);
    }
    syncFolder(folder);
    return { path: target, bytes: statSync(target).size, ...found };
  } finally {
    removePartial(partial);
  }
}

export interface BackupInspection {
  bytes: number;
  /** integrity_check's findings: ['ok'] when the file is sound. */
  integrity: string[];
  /** Null when the file is SQLite but not a mailtally database. */
  contents: BackupContents | null;
}

/**
 * Reads a backup file without changing it (read-only; a file made by `db backup` has no WAL, so
 * not even companion files appear). Throws DatabaseMissingError for a missing file and
 * BackupRefused for one that is not a SQLite database.
 */
export function inspectSqliteBackup(path: string): BackupInspection {
  if (!existsSync(path)) throw new DatabaseMissingError(`${path} does not exist`);
  if (!statSync(path).isFile()) throw new BackupRefused(`${path} is not a file`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new BackupRefused(`${path} cannot be opened as SQLite (${(err as { code?: string }).code ?? (err as Error).message})`);
  }
  try {
    let integrity: string[];
    try {
      integrity = (db.pragma('integrity_check(20)') as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_NOTADB') throw new BackupRefused(`${path} is not a SQLite database`);
      integrity = [`cannot be read (${code ?? (err as Error).message})`];
    }
    const ok = integrity.length === 1 && integrity[0] === 'ok';
    return { bytes: statSync(path).size, integrity, contents: ok && isMailtally(db) ? contents(db) : null };
  } finally {
    db.close();
  }
}
