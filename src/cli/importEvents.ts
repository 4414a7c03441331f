import { statSync } from 'node:fs';
import { Command } from 'commander';
import { ingestBatch, type RawItem, rejectedCount } from '../services/ingest.js';
import { reapplyQuarantined } from '../services/quarantine.js';
import { CliError, type CommonOptions, print, withCommonOptions, withStore } from './common.js';
import { openEventSource } from './eventSource.js';
import { importProviderFile } from './importProvider.js';
import { ADAPTERS, adapterFor } from '../providers/index.js';

// Large transactions: an import is re-runnable (duplicates are recognised), so fewer commits
// cost nothing in safety and save one fsync per 1,000 events.
const BATCH_SIZE = 10_000;
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
      // One batch is applied while the next is read and parsed (on SQLite the writer thread
      // commits while this thread parses); two batches in memory at most.
      let inFlight: Promise<void> = Promise.resolve();
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const applying = ingestBatch(store, customer, batch, new Date(), index).then(record);
        applying.catch(() => undefined); // awaited below or by the next flush; never unhandled
        index += batch.length;
        batch = [];
        const previous = inFlight;
        inFlight = applying;
        await previous;
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

      try {
        for await (const item of source.items) {
          batch.push(item);
          if (batch.length >= BATCH_SIZE) await flush();
        }
      } catch (err) {
        // Everything read before the fault is applied; re-running the import later is safe,
        // since duplicates are recognised.
        await flush();
        await inFlight;
        const code = (err as { code?: string }).code;
        const reason = code ? `cannot read ${file} (${code})` : `input is not valid JSON (${(err as Error).message})`;
        throw new CliError(`${reason}; the ${index} events before it were processed (accepted ${totals.accepted})`);
      }
      await flush();
      await inFlight;
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
