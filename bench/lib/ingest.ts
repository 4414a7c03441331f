// Rows 1 and 2: webhook ingest over HTTP against a raw insert of the same events' fingerprints.
//
// Load: 1,000-event JSON bodies (a third of the events repeat earlier ones, 20 categories),
// posted by 4 concurrent senders with Basic auth to POST /webhooks/events?user=c1 of the real
// server. Baseline: the same fingerprints (16 bytes each, duplicates included) inserted with
// ON CONFLICT DO NOTHING into one table whose primary key is (customer_id, fingerprint),
// 1,000 rows a transaction, on the same disk with the same durability settings. The baseline
// runs before and after the server (disk speed drifts); their mean is the figure.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type RowResult, SIZES, ensureBuilt, fmt, log, tempDir } from './env.js';
import { fingerprintOf, webhookBodies } from './events.js';
import { percentile, postBatches } from './http.js';
import { createDatabase, pgSettings } from './pg.js';
import { BASIC, CUSTOMER, type Storage, setupInstallation, startServer } from './server.js';

export const BATCH = 1000;
export const SENDERS = 4;

interface BaselineRun {
  events: number;
  seconds: number;
}

function sqliteBaseline(path: string, batches: readonly Buffer[][], seconds: number): BaselineRun {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS fp (customer_id INTEGER NOT NULL, fingerprint BLOB NOT NULL, PRIMARY KEY (customer_id, fingerprint)) WITHOUT ROWID');
  const insert = db.prepare('INSERT INTO fp (customer_id, fingerprint) VALUES (?, ?) ON CONFLICT DO NOTHING');
  const tx = db.transaction((fps: readonly Buffer[]) => {
    for (const f of fps) insert.run(1, f);
  });
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let events = 0;
  for (const b of batches) {
    if (performance.now() > deadline) break;
    tx.immediate(b);
    events += b.length;
  }
  const elapsed = (performance.now() - start) / 1000;
  db.close();
  return { events, seconds: elapsed };
}

/**
 * One statement per batch (unnest of a bytea[], sorted so that concurrent batches sharing
 * duplicates take their row locks in one order and cannot deadlock), BEGIN/COMMIT around it,
 * `connections` concurrent connections.
 */
async function pgBaseline(url: string, table: string, batches: readonly Buffer[][], seconds: number, connections: number): Promise<BaselineRun> {
  const pool = new pg.Pool({ connectionString: url, max: connections });
  pool.on('error', () => undefined);
  const sorted = batches.map((b) => [...b].sort(Buffer.compare));
  await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (customer_id BIGINT NOT NULL, fingerprint BYTEA NOT NULL, PRIMARY KEY (customer_id, fingerprint))`);
  let next = 0;
  let events = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async (): Promise<void> => {
    const c = await pool.connect();
    try {
      while (next < sorted.length && performance.now() < deadline) {
        const b = sorted[next++] as Buffer[];
        await c.query('BEGIN');
        await c.query(`INSERT INTO ${table} (customer_id, fingerprint) SELECT 1, unnest($1::bytea[]) ON CONFLICT DO NOTHING`, [b]);
        await c.query('COMMIT');
        events += b.length;
      }
    } finally {
      c.release();
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    await pool.end();
  }
  return { events, seconds: (performance.now() - start) / 1000 };
}

export interface IngestOptions {
  backend: 'sqlite' | 'postgres';
  /** Extra node flags for the server (the profiler uses --cpu-prof). */
  nodeArgs?: string[];
  /** Skip the baseline (profiling runs). */
  serverOnly?: boolean;
}

export async function ingestRow(o: IngestOptions): Promise<RowResult[]> {
  const name = `ingest-${o.backend}`;
  ensureBuilt();
  const dir = tempDir(name);
  let database: Awaited<ReturnType<typeof createDatabase>> | undefined;
  try {
    log(name, `generating ${SIZES.ingestBatches} batches of ${BATCH} events`);
    const { bodies, events } = webhookBodies(SIZES.ingestBatches, BATCH, { seed: 1, nowSeconds: Math.floor(Date.now() / 1000), spanDays: 3, duplicates: true });
    const fps = events.map((b) => b.map(fingerprintOf));
    const pgConnections = Number(process.env.BENCH_PG_BASELINE_CONNECTIONS ?? SENDERS);

    let storage: Storage;
    let baseline: (table: string) => Promise<BaselineRun>;
    let settings: string;
    if (o.backend === 'sqlite') {
      storage = { db: join(dir.path, 'mailtally.sqlite') };
      baseline = async (table) => sqliteBaseline(join(dir.path, `${table}.sqlite`), fps, SIZES.ingestSeconds);
      settings = 'SQLite WAL, synchronous=FULL';
    } else {
      database = await createDatabase();
      const url = database.url;
      storage = { databaseUrl: url };
      baseline = (table) => pgBaseline(url, table, fps, SIZES.ingestSeconds, pgConnections);
      settings = `PostgreSQL ${await pgSettings()}`;
    }

    const runs: BaselineRun[] = [];
    if (!o.serverOnly) {
      runs.push(await baseline('baseline_before'));
      log(name, `baseline (before): ${fmt.int(runs[0]!.events / runs[0]!.seconds)} events/s`);
    }

    await setupInstallation(storage);
    const server = await startServer(storage, { logFile: join(dir.path, 'server.log'), nodeArgs: o.nodeArgs });
    let load;
    try {
      // Warm-up (not timed): the first call pays a scrypt and the JIT; other messages, same customer.
      const warm = webhookBodies(4, BATCH, { seed: 99, nowSeconds: Math.floor(Date.now() / 1000), spanDays: 3, duplicates: true }).bodies;
      await postBatches(`${server.url}/webhooks/events?user=${CUSTOMER}`, warm, BATCH, { senders: 1, seconds: 60, headers: { authorization: BASIC } });
      load = await postBatches(`${server.url}/webhooks/events?user=${CUSTOMER}`, bodies, BATCH, {
        senders: SENDERS,
        seconds: SIZES.ingestSeconds,
        headers: { authorization: BASIC },
      });
    } finally {
      await server.stop();
    }
    const rate = load.events / load.seconds;
    log(name, `server: ${fmt.int(rate)} events/s (${load.batches} batches in ${load.seconds.toFixed(1)} s; accepted ${load.accepted}, duplicates ${load.duplicates}, rejected ${load.rejected})`);
    if (load.accepted + load.duplicates !== load.events || load.rejected !== 0) throw new Error('the server did not account for every event');

    if (o.serverOnly) return [];
    runs.push(await baseline('baseline_after'));
    log(name, `baseline (after): ${fmt.int(runs[1]!.events / runs[1]!.seconds)} events/s`);
    const base = runs.reduce((s, r) => s + r.events / r.seconds, 0) / runs.length;
    const ratio = rate / base;
    const row = o.backend === 'sqlite' ? '1' : '2';
    const floor = o.backend === 'sqlite' ? 40_000 : 0;
    const target = o.backend === 'sqlite' ? '≥ 1.0× and ≥ 40,000 events/s' : '≥ 1.0×';
    return [
      {
        row,
        what: `webhook ingest, ${o.backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'} (events/s)`,
        measured: fmt.int(rate),
        baseline: fmt.int(base),
        ratio: fmt.ratio(ratio),
        target,
        pass: ratio >= 1 && rate >= floor,
        note:
          `${fmt.int(load.events)} events in ${load.batches} batches, ${load.duplicates} duplicates; batch round trip p50 ${fmt.ms(percentile(load.latencies, 50))}, ` +
          `p99 ${fmt.ms(percentile(load.latencies, 99))}; baseline before/after ${runs.map((r) => fmt.int(r.events / r.seconds)).join(' / ')} ` +
          `(${o.backend === 'sqlite' ? '1 connection' : `${pgConnections} connections, one unnest() INSERT per batch`}); ${settings}`,
        data: { eventsPerSecond: rate, baselinePerSecond: base },
      },
    ];
  } finally {
    if (database) await database.drop().catch((err: unknown) => log(name, `could not drop the database: ${String(err)}`));
    dir.cleanup();
  }
}
