// createStore(config): the backend is chosen by the location's form.
import { openSqlite } from './sqlite.js';
import type { Store, StoreOptions } from './types.js';

export type { Store, StoreOptions, Customer, Reseller, Rejection, BatchResult } from './types.js';

export interface StoreLocation {
  /** SQLite file path; ignored when databaseUrl is set. */
  dbPath: string;
  /** postgres:// URL selecting PostgreSQL. */
  databaseUrl?: string | undefined;
}

export async function createStore(location: StoreLocation, options: StoreOptions): Promise<Store> {
  if (location.databaseUrl) {
    throw new Error('PostgreSQL storage is not available in this version; use --db for SQLite');
  }
  return openSqlite(location.dbPath, options);
}
