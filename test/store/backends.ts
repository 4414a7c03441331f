// The backends the store contract suite runs on; every backend must pass the same suite.
import { join } from 'node:path';
import { openSqlite } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { openPostgres } from '../../src/store/postgres.js';
import { RETENTION_MS, tempDir } from '../helpers.js';
import { createTestDatabase, pgSkip } from '../pg.js';

export interface Backend {
  name: string;
  /** Why this backend is skipped here, or false. */
  skip: string | false;
  /** A fresh, empty store, and a second connection to the same database. */
  open(): Promise<{ store: Store; second(): Promise<Store>; cleanup(): Promise<void> }>;
}

export const backends: Backend[] = [
  {
    name: 'sqlite',
    skip: false,
    open: async () => {
      const dir = tempDir();
      const path = join(dir.path, 'contract.sqlite');
      const opened: Store[] = [];
      const connect = async () => {
        const s = openSqlite(path, { retentionMs: RETENTION_MS });
        opened.push(s);
        return s;
      };
      return {
        store: await connect(),
        second: connect,
        cleanup: async () => {
          for (const s of opened) await s.close();
          dir.cleanup();
        },
      };
    },
  },
  {
    name: 'postgres',
    skip: pgSkip,
    open: async () => {
      const db = await createTestDatabase();
      const opened: Store[] = [];
      const connect = async () => {
        const s = await openPostgres(db.url, { retentionMs: RETENTION_MS, poolSize: 4 });
        opened.push(s);
        return s;
      };
      return {
        store: await connect(),
        second: connect,
        cleanup: async () => {
          for (const s of opened) await s.close();
          await db.drop();
        },
      };
    },
  },
];
