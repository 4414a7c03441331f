// One connection to the embedded database with the settings every connection needs: the store's
// own and its writer thread's must agree, or a commit's durability would depend on who made it.
import Database from 'better-sqlite3';

export function openSqliteConnection(path: string): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    // A commit is on disk (fsync) before the call returns: what lets the webhook answer 200.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    // Addresses are personal data (SPEC section 9): deleted rows are zeroed in the file rather
    // than left readable in free space (cost measured in bench/RESULTS.md).
    db.pragma('secure_delete = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
