// Shared by the provider tests: a provider body as a request, and the counts a real SQLite store
// holds after ingesting bodies through an adapter and the shared ingest path.
import type { MetricRow } from '../src/domain/metrics.js';
import { adapterFor } from '../src/providers/index.js';
import type { ProviderRequest } from '../src/providers/types.js';
import { type IngestResult } from '../src/services/ingest.js';
import { ingestProviderItems } from '../src/services/providerIngest.js';
import type { Customer, Store } from '../src/store/types.js';
import { addReseller, openTempSqlite, tempDir } from './helpers.js';

export interface Sent {
  body: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

const asSent = (x: unknown): Sent => (typeof x === 'object' && x !== null && 'body' in x && Object.keys(x).every((k) => ['body', 'headers', 'contentType'].includes(k)) ? (x as Sent) : { body: x });

export function requestOf(sent: Sent | unknown): ProviderRequest {
  const s = asSent(sent);
  return {
    body: Buffer.from(typeof s.body === 'string' ? s.body : JSON.stringify(s.body)),
    contentType: s.contentType ?? 'application/json',
    headers: s.headers ?? {},
  };
}

/** Non-zero metrics of a row. */
export function nonZero(row: MetricRow): Partial<MetricRow> {
  return Object.fromEntries(Object.entries(row).filter(([, n]) => n !== 0)) as Partial<MetricRow>;
}

export async function ingestInto(store: Store, customer: Customer, provider: string, bodies: readonly unknown[], now = new Date('2026-01-01T00:00:00Z')): Promise<IngestResult[]> {
  const adapter = adapterFor(provider);
  if (!adapter) throw new Error(`no adapter ${provider}`);
  const results: IngestResult[] = [];
  for (const body of bodies) results.push(await ingestProviderItems(store, customer, provider, adapter.parse(requestOf(body)), now));
  return results;
}

/** The all-time counts of a fresh customer after these bodies, and each body's answer. */
export async function countsAfter(provider: string, bodies: readonly unknown[]): Promise<{ counts: Partial<MetricRow>; results: IngestResult[]; categories: string[] }> {
  const dir = tempDir();
  const store = openTempSqlite(dir);
  try {
    const reseller = await addReseller(store, 'r1', 'key-r1-secret');
    const customer = await store.addCustomer('c1', reseller, 'UTC');
    const results = await ingestInto(store, customer, provider, bodies);
    return { counts: nonZero(await store.aggregate(customer.id)), results, categories: await store.categories(customer.id) };
  } finally {
    await store.close();
    dir.cleanup();
  }
}

export const counts = async (provider: string, ...bodies: unknown[]): Promise<Partial<MetricRow>> => (await countsAfter(provider, bodies)).counts;

/** Day → non-zero metrics of a fresh customer (UTC) after these bodies. */
export async function dailyAfter(provider: string, bodies: readonly unknown[]): Promise<Record<number, Partial<MetricRow>>> {
  const dir = tempDir();
  const store = openTempSqlite(dir);
  try {
    const reseller = await addReseller(store, 'r1', 'key-r1-secret');
    const customer = await store.addCustomer('c1', reseller, 'UTC');
    await ingestInto(store, customer, provider, bodies);
    const out: Record<number, Partial<MetricRow>> = {};
    for (const [day, row] of await store.daily(customer.id, { from: 0, to: 40_000 })) out[day] = nonZero(row);
    return out;
  } finally {
    await store.close();
    dir.cleanup();
  }
}
