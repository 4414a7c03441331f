// createStore(config): the backend is chosen by the location's form.
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';
import type { Store, StoreOptions } from './types.js';

export type { Store, StoreOptions, Customer, CustomerAccount, Reseller, Rejection, BatchResult, SessionAccount } from './types.js';

export interface StoreLocation {
  /** SQLite file path; ignored when databaseUrl is set. */
  dbPath: string;
  /** postgres:// URL selecting PostgreSQL. */
  databaseUrl?: string | undefined;
  /** PostgreSQL connections per process. */
  poolSize?: number | undefined;
}

export async function createStore(location: StoreLocation, options: StoreOptions): Promise<Store> {
  if (location.databaseUrl) return openPostgres(location.databaseUrl, { ...options, poolSize: location.poolSize });
  return openSqlite(location.dbPath, options);
}
