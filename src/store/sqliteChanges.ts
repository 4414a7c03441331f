// What other connections changed since this one last looked (migration 013). `PRAGMA data_version`
// is cheap and says only *that* another connection committed; the server's own batches are
// committed by its writer thread (another connection), so that is nearly every commit. The change
// counters then say what: which customers' rollups (they alone are dropped from the read model),
// and whether any reseller or customer record changed (everything in memory is dropped: a time
// zone or a key can change any answer). Polled before every read from memory, so a read never
// answers from a state older than the last commit it could have seen.
import type Database from 'better-sqlite3';

export interface ChangeListener {
  /** These customers' rollups (or categories) changed. */
  rollups(customerIds: readonly number[]): void;
  /** A reseller or customer record changed. */
  accounts(): void;
}

export class SqliteChanges {
  private readonly dataVersion: Database.Statement;
  private readonly counters: Database.Statement;
  private readonly changedSince: Database.Statement;
  private version: number;
  private rollupSeq: number;
  private accountSeq: number;
  private readonly listeners: ChangeListener[] = [];
  private polled = false;
  private readonly again = (): void => {
    this.polled = false;
  };

  constructor(db: Database.Database) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.counters = db.prepare("SELECT (SELECT seq FROM change_counters WHERE name = 'rollups') AS rollups, (SELECT seq FROM change_counters WHERE name = 'accounts') AS accounts");
    this.changedSince = db.prepare('SELECT customer_id, seq FROM rollup_changes WHERE seq > ?').raw();
    this.version = this.dataVersion.get() as number;
    const c = this.counters.get() as { rollups: number; accounts: number };
    this.rollupSeq = c.rollups;
    this.accountSeq = c.accounts;
  }

  listen(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /**
   * Tells the listeners what other connections committed since the last poll. Once per
   * synchronous stretch of code: one store call looks up several entries (a series per category,
   * the account, …) without yielding, and a commit that finished before the stretch began is
   * seen by all of them; the check runs again after the next await.
   */
  poll(): void {
    if (this.polled) return;
    this.polled = true;
    queueMicrotask(this.again);
    const v = this.dataVersion.get() as number;
    if (v === this.version) return;
    this.version = v;
    const c = this.counters.get() as { rollups: number; accounts: number };
    if (c.accounts !== this.accountSeq) {
      this.accountSeq = c.accounts;
      for (const l of this.listeners) l.accounts();
    }
    if (c.rollups !== this.rollupSeq) {
      // A newer snapshot than the counters': it may list a later commit too (dropped early, which
      // is harmless); it cannot miss one, since sequence numbers are given in commit order.
      const rows = this.changedSince.all(this.rollupSeq) as Array<[number, number]>;
      let seq = c.rollups;
      const ids: number[] = [];
      for (const [id, s] of rows) {
        ids.push(id);
        if (s > seq) seq = s;
      }
      this.rollupSeq = seq;
      for (const l of this.listeners) l.rollups(ids);
    }
  }
}
