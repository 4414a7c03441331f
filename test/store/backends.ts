// The backends the store contract suite runs on. PostgreSQL joins this list once its backend
// exists; every backend must pass the same suite.
import { join } from 'node:path';
import { openSqlite } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { RETENTION_MS, tempDir } from '../helpers.js';

export interface Backend {
  name: string;
  /** A fresh, empty store, and a second connection to the same database. */
  open(): Promise<{ store: Store; second(): Promise<Store>; cleanup(): Promise<void> }>;
}

export const backends: Backend[] = [
  {
    name: 'sqlite',
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
];
