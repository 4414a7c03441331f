import { statSync } from 'node:fs';
import { Command } from 'commander';
import { ingestBatch, type RawItem, rejectedCount } from '../services/ingest.js';
import { reapplyQuarantined } from '../services/quarantine.js';
import { CliError, type CommonOptions, print, withCommonOptions, withStore } from './common.js';
import { openEventSource } from './eventSource.js';
import { importProviderFile } from './importProvider.js';
import { ADAPTERS, adapterFor } from '../providers/index.js';

// An import is re-runnable (duplicates are recognised), so fewer commits cost nothing in safety
// and save fsyncs: batches of 2,000 (one store chunk), up to IN_FLIGHT of them sent at once,
// which the writer thread commits together. Measured on a 143 MiB file (bench/import.ts), rate
// vs the webhook's and peak RSS: 10,000 x 2 in flight 1.15x, 327 MiB; 2,000 x 2 0.96x, 247 MiB;
// 2,000 x 3 1.07-1.12x, 263 MiB; 2,000 x 4 1.16-1.23x, 280 MiB; no writer thread 0.91x, 187 MiB.
const BATCH_SIZE = 2_000;
const IN_FLIGHT = 3;
const SHOWN_REJECTIONS = 10;

function progressLine(events: number, bytes: number, startedMs: number): string {
  const seconds = Math.max((Date.now() - startedMs) / 1000, 0.001);
  return `\r${events.toLocaleString('en-US')} events, ${(bytes / 1e6).toFixed(1)} MB read, ${Math.round(events / seconds).toLocaleString('en-US')} events/s `;
}

export function eventsCommand(): Command {
  const events = new Command('events').description('load and inspect events');
  withCommonOptions(
    events
      .command('import <file>')
      .description('load events from a file or - (stdin): a JSON array (webhook body) or NDJSON')
      .requiredOption('--user <username>', 'the customer the events belong to')
      .option('--provider <p>', `whose webhook payloads the file holds: ${Object.keys(ADAPTERS).join(', ')} (default sendgrid)`),
  ).action(async (file: string, opts: CommonOptions & { user: string; provider?: string }) => {
    const totals = { accepted: 0, duplicates: 0, rejected: 0 };
    const shown: string[] = [];
    const adapter = opts.provider === undefined || opts.provider === 'sendgrid' ? undefined : adapterFor(opts.provider);
    if (opts.provider !== undefined && opts.provider !== 'sendgrid' && !adapter) throw new CliError(`unknown provider ${opts.provider}; use one of ${Object.keys(ADAPTERS).join(', ')}`);
    await withStore(opts, async (store) => {
      const customer = await store.findCustomer(opts.user);
      if (!customer) throw new CliError(`customer ${opts.user} not found`);
      if (file !== '-' && !statSync(file, { throwIfNoEntry: false })?.isFile()) throw new CliError(`cannot read ${file}: not a file`);
      if (adapter) {
        Object.assign(totals, await importProviderFile(store, customer, adapter, file, shown, SHOWN_REJECTIONS));
        return;
      }

      const source = openEventSource(file);
      const showProgress = process.stderr.isTTY === true;
      const started = Date.now();
      let lastProgress = 0;
      let index = 0;
      let batch: RawItem[] = [];
      // Batches are applied while the next ones are read and parsed: on SQLite the writer thread
      // commits those waiting together (one fsync) while this thread parses. At most
      // IN_FLIGHT batches are held at once, which bounds memory.
      const inFlight: Array<Promise<void>> = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const applying = ingestBatch(store, customer, batch, new Date(), index).then(record);
        applying.catch(() => undefined); // awaited below or by a later flush; never unhandled
        index += batch.length;
        batch = [];
        inFlight.push(applying);
        if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
      };
      const drain = async (): Promise<void> => {
        while (inFlight.length > 0) await inFlight.shift();
      };
      const record = (r: Awaited<ReturnType<typeof ingestBatch>>): void => {
        totals.accepted += r.accepted;
        totals.duplicates += r.duplicates;
        totals.rejected += rejectedCount(r);
        for (const x of r.rejected) if (shown.length < SHOWN_REJECTIONS) shown.push(`event ${x.index}: ${x.error}`);
        if (showProgress && Date.now() - lastProgress > 250) {
          lastProgress = Date.now();
          process.stderr.write(progressLine(index, source.bytesRead(), started));
        }
      };

      // A store failure is the store's (reported as such by the caller), not a fault of the file.
      let applyFailure: { error: unknown } | null = null;
      try {
        for await (const item of source.items) {
          batch.push(item);
          if (batch.length >= BATCH_SIZE) {
            try {
              await flush();
            } catch (error) {
              applyFailure = { error };
              throw error;
            }
          }
        }
      } catch (err) {
        const failure = applyFailure as { error: unknown } | null; // set in the loop above
        if (failure) {
          await Promise.allSettled(inFlight);
          throw failure.error;
        }
        // Everything read before the fault is applied; re-running the import later is safe,
        // since duplicates are recognised.
        await flush();
        await drain();
        const code = (err as { code?: string }).code;
        const reason = code ? `cannot read ${file} (${code})` : `input is not valid JSON (${(err as Error).message})`;
        throw new CliError(`${reason}; the ${index} events before it were processed (accepted ${totals.accepted})`);
      }
      await flush();
      await drain();
      if (showProgress) process.stderr.write(`${progressLine(index, source.bytesRead(), started)}\n`);
    }, 'threaded');
    if (!opts.json) for (const line of shown) process.stderr.write(`rejected ${line}\n`);
    print(opts, totals, `accepted ${totals.accepted}, duplicates ${totals.duplicates}, rejected ${totals.rejected}`);
  });
  withCommonOptions(
    events
      .command('rejected')
      .description('list a customer\'s quarantined (rejected) events, or re-apply them after a fix')
      .requiredOption('--user <username>', 'the customer')
      .option('--reapply', 'validate each again; apply the ones now valid and remove them from quarantine')
      .option('--limit <n>', 'how many to list (default 100)', '100'),
  ).action(async (opts: CommonOptions & { user: string; reapply?: boolean; limit: string }) => {
    const limit = /^\d+$/.test(opts.limit) ? Number(opts.limit) : NaN;
    if (!(limit >= 1 && limit <= 100_000)) throw new CliError('--limit must be an integer from 1 to 100000');
    await withStore(opts, async (store) => {
      const customer = await store.findCustomer(opts.user);
      if (!customer) throw new CliError(`customer ${opts.user} not found`);
      if (opts.reapply) {
        const r = await reapplyQuarantined(store, customer, () => new Date());
        print(opts, r, `re-applied ${r.reapplied}, duplicates ${r.duplicates}, still rejected ${r.still_rejected}`);
        return;
      }
      const rows = await store.quarantined(customer.id, limit);
      const listed = rows.map((r) => ({ id: r.id, index: r.index, error: r.error, received_at: r.receivedAt.toISOString(), payload: r.payload }));
      const human = listed.map((r) => `#${r.id} ${r.received_at} event ${r.index}: ${r.error}\n    ${r.payload.length > 200 ? `${r.payload.slice(0, 200)}…` : r.payload}`);
      print(opts, { rejected: listed }, human.length > 0 ? human.join('\n') : `no rejected events for ${opts.user}`);
    });
  });
  return events;
}
