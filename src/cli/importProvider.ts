// `events import --provider <p> <file>`: a file of one provider's webhook payloads, either one
// body exactly as the provider posts it (a SparkPost array, a Mailjet group, one Mailgun object,
// or an array of such objects for providers that post one at a time), or NDJSON with one body
// per line (a replay log). Each body goes through the same adapter and ingest path as the route.
import { readFileSync, statSync } from 'node:fs';
import { ApiError } from '../domain/errors.js';
import type { ProviderAdapter, ProviderItem, ProviderRequest } from '../providers/types.js';
import { rejectedCount } from '../services/ingest.js';
import { ingestProviderItems } from '../services/providerIngest.js';
import type { Customer, Store } from '../store/types.js';
import { CliError } from './common.js';

/** Read whole, unlike SendGrid imports (which stream): provider bodies are parsed whole anyway. */
export const MAX_PROVIDER_FILE_BYTES = 128 * 1024 * 1024;
const BATCH_ITEMS = 10_000;

const requestOf = (text: string): ProviderRequest => ({ body: Buffer.from(text), contentType: 'application/json', headers: {} });

/** The bodies of a file: the whole file if it is one body, its elements, or its lines. */
function* bodiesOf(adapter: ProviderAdapter, text: string): Generator<string> {
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    for (const line of text.split('\n')) if (line.trim() !== '') yield line;
    return;
  }
  try {
    adapter.parse(requestOf(text));
    yield text;
  } catch (err) {
    // An array of bodies of a provider that posts one object at a time.
    if (!(err instanceof ApiError) || !Array.isArray(whole)) throw err;
    for (const body of whole) yield JSON.stringify(body);
  }
}

export interface ImportTotals {
  accepted: number;
  duplicates: number;
  rejected: number;
}

export async function importProviderFile(store: Store, customer: Customer, adapter: ProviderAdapter, file: string, shown: string[], limitShown: number): Promise<ImportTotals> {
  const size = file === '-' ? 0 : (statSync(file, { throwIfNoEntry: false })?.size ?? 0);
  if (size > MAX_PROVIDER_FILE_BYTES) throw new CliError(`${file} is larger than ${MAX_PROVIDER_FILE_BYTES / 1024 / 1024} MiB; split it into NDJSON files`);
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file} (${(err as { code?: string }).code ?? 'error'})`);
  }
  const totals: ImportTotals = { accepted: 0, duplicates: 0, rejected: 0 };
  let items: ProviderItem[] = [];
  let index = 0;
  const flush = async (): Promise<void> => {
    if (items.length === 0) return;
    const r = await ingestProviderItems(store, customer, adapter.name, items, new Date(), index);
    index += items.length;
    items = [];
    totals.accepted += r.accepted;
    totals.duplicates += r.duplicates;
    totals.rejected += rejectedCount(r);
    for (const x of r.rejected) if (shown.length < limitShown) shown.push(`item ${x.index}: ${x.error}`);
  };
  const bodies = bodiesOf(adapter, text);
  // A file that parses as JSON but is not this provider's payload at all is refused whole.
  for (const body of (function* () {
    try {
      yield* bodies;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      throw new CliError(`not ${adapter.name} webhook payloads: ${err.messages.join('; ')}`);
    }
  })()) {
    try {
      items.push(...adapter.parse(requestOf(body)));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // A line that is not this provider's body is quarantined as read, never silently skipped.
      items.push({ original: body, mapped: { error: err.messages.join('; ') } });
    }
    if (items.length >= BATCH_ITEMS) await flush();
  }
  await flush();
  return totals;
}
