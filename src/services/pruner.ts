// Background pruning of deduplication fingerprints and first-open/click markers older than the
// retention window, and of quarantined events older than the quarantine's (rollups are kept
// forever). Small chunks, each its own short transaction,
// with a yield to the event loop between them, so ingest is never blocked behind a big delete.
// Correctness does not depend on it: expired rows already count as absent at ingest.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Store } from '../store/types.js';

const CHUNK = 5_000;
/** MAILTALLY_QUARANTINE_DAYS' default. */
export const DEFAULT_QUARANTINE_MS = 30 * 86_400_000;

export interface Pruner {
  /** One full pass now; resolves with the number of rows removed. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function startPruner(
  store: Store,
  retentionMs: number,
  intervalMs: number,
  onError: (err: unknown) => void,
  now: () => Date = () => new Date(),
  quarantineMs: number = DEFAULT_QUARANTINE_MS,
): Pruner {
  let running: Promise<number> | undefined;
  let stopped = false;

  const drain = async (prune: (limit: number) => Promise<number>): Promise<number> => {
    let total = 0;
    while (!stopped) {
      const n = await prune(CHUNK);
      total += n;
      if (n < CHUNK) break;
      await yieldToEventLoop();
    }
    return total;
  };
  const pass = async (): Promise<number> => {
    const cutoff = new Date(now().getTime() - retentionMs);
    const quarantineCutoff = new Date(now().getTime() - quarantineMs);
    return (await drain((limit) => store.pruneExpired(cutoff, limit))) + (await drain((limit) => store.pruneQuarantine(quarantineCutoff, limit)));
  };
  const runOnce = (): Promise<number> => (running ??= pass().finally(() => (running = undefined)));

  const timer = intervalMs > 0 ? setInterval(() => runOnce().catch(onError), intervalMs) : undefined;
  timer?.unref();
  return {
    runOnce,
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
