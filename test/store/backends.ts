// The backends the store contract suite runs on; every backend must pass the same suite.
import { join } from 'node:path';
import { openPostgres } from '../../src/store/postgres.js';
import { openSqlite } from '../../src/store/sqlite.js';
import type { Store, StoreOptions } from '../../src/store/types.js';
import { RETENTION_MS, tempDir } from '../helpers.js';
import { createTestDatabase, pgSkip } from '../pg.js';

interface Opened {
  store: Store;
  second(): Promise<Store>;
  cleanup(): Promise<void>;
}

export interface Backend {
  name: string;
  /** Why this backend is skipped here, or false. */
  skip: string | false;
  /** A fresh, empty store, and a second connection to the same database (options beyond the retention window). */
  open(options?: Partial<StoreOptions>): Promise<Opened>;
}

/** Connections to one database, all closed (then the database removed) by cleanup. */
async function connections(connect: () => Promise<Store>, remove: () => Promise<void> | void): Promise<Opened> {
  const opened: Store[] = [];
  const next = async (): Promise<Store> => {
    const s = await connect();
    opened.push(s);
    return s;
  };
  return {
    store: await next(),
    second: next,
    cleanup: async () => {
      for (const s of opened) await s.close();
      await remove();
    },
  };
}

export const backends: Backend[] = [
  {
    name: 'sqlite',
    skip: false,
    open: async (options = {}) => {
      const dir = tempDir();
      const path = join(dir.path, 'contract.sqlite');
      return connections(async () => openSqlite(path, { retentionMs: RETENTION_MS, ...options }), () => dir.cleanup());
    },
  },
  {
    // The server's configuration: batches and prune rounds applied by the writer thread on its
    // own connection, several per commit.
    name: 'sqlite (writer thread)',
    skip: false,
    open: async (options = {}) => {
      const dir = tempDir();
      const path = join(dir.path, 'contract.sqlite');
      return connections(async () => openSqlite(path, { retentionMs: RETENTION_MS, writerThread: true, ...options }), () => dir.cleanup());
    },
  },
  {
    name: 'postgres',
    skip: pgSkip,
    open: async (options = {}) => {
      const db = await createTestDatabase();
      return connections(() => openPostgres(db.url, { retentionMs: RETENTION_MS, poolSize: 4, ...options }), () => db.drop());
    },
  },
];
