// Rows 3 and 4: legacy stats calls through the real server (authentication in every request,
// the verified-credential cache warm) against a bare node:http server answering a fixed body of
// the same size and content type, both under autocannon with 32 connections, one at a time.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RowResult, SIZES, ensureBuilt, fmt, log, tempDir } from './env.js';
import { categoryName, webhookBodies } from './events.js';
import { postBatches, request } from './http.js';
import { type LoadResult, load } from './load.js';
import { API_KEY, API_USER, BASIC, CUSTOMER, type Server, setupInstallation, startBareServer, startServer } from './server.js';

const CONNECTIONS = 32;
const NAME = 'stats-http';

export interface Shape {
  row: string;
  what: string;
  path: string;
  extra: string;
  min: number;
  /** p99 bound in ms, where the row has one. */
  p99?: number;
}

export const SHAPES: Shape[] = [
  { row: '3', what: 'stats daily, 31 days, JSON (req/s)', path: 'distributor.manage.json', extra: 'days=31', min: 0.6, p99: 5 },
  { row: '4a', what: 'stats daily, 31 days, XML (req/s)', path: 'distributor.manage.xml', extra: 'days=31', min: 0.5 },
  {
    row: '4b',
    what: 'category stats, 3 categories × 31 days, JSON (req/s)',
    path: 'distributor.manage.json',
    extra: `days=31&${[1, 7, 13].map((i) => `category=${categoryName(i)}`).join('&')}`,
    min: 0.5,
  },
  { row: '4c', what: 'aggregate, JSON (req/s)', path: 'distributor.manage.json', extra: 'aggregate=1', min: 0.5 },
];

export function statsUrl(base: string, shape: Shape, user = CUSTOMER): string {
  return `${base}/api/${shape.path}?api_user=${API_USER}&api_key=${API_KEY}&method=stats&user=${user}&${shape.extra}`;
}

async function measure(url: string): Promise<LoadResult> {
  await load({ url, connections: CONNECTIONS, seconds: SIZES.httpWarmupSeconds });
  const r = await load({ url, connections: CONNECTIONS, seconds: SIZES.httpSeconds });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return r;
}

export interface StatsOptions {
  nodeArgs?: string[];
  /** Extra environment of the measured server (e.g. MAILTALLY_LOG_LEVEL for an experiment). */
  env?: NodeJS.ProcessEnv;
  serverOnly?: boolean;
  shapes?: Shape[];
}

export async function statsRows(o: StatsOptions = {}): Promise<RowResult[]> {
  ensureBuilt();
  const dir = tempDir(NAME);
  const storage = { db: join(dir.path, 'mailtally.sqlite') };
  let server: Server | undefined;
  try {
    await setupInstallation(storage);
    // 100,000 events over the last 35 days, so every day of the answers has numbers; loaded
    // through a first server process, so the measured one (and its profile) only answers stats.
    const loader = await startServer(storage, { logFile: join(dir.path, 'server.log') });
    try {
      const { bodies } = webhookBodies(100, 1000, { seed: 3, nowSeconds: Math.floor(Date.now() / 1000), spanDays: 35, duplicates: true });
      await postBatches(`${loader.url}/webhooks/events?user=${CUSTOMER}`, bodies, 1000, { senders: 4, seconds: 120, headers: { authorization: BASIC } });
    } finally {
      await loader.stop();
    }
    server = await startServer(storage, { logFile: join(dir.path, 'server.log'), nodeArgs: o.nodeArgs, env: o.env });

    const rows: RowResult[] = [];
    for (const shape of o.shapes ?? SHAPES) {
      const url = statsUrl(server.url, shape);
      const sample = await request(url);
      if (sample.status !== 200) throw new Error(`${shape.what}: ${sample.status} ${sample.body.slice(0, 200)}`);
      const contentType = shape.path.endsWith('.xml') ? 'application/xml; charset=utf-8' : 'application/json; charset=utf-8';

      let bare: LoadResult | undefined;
      if (!o.serverOnly) {
        const bodyFile = join(dir.path, `body-${shape.row}`);
        writeFileSync(bodyFile, sample.body);
        const b = await startBareServer(bodyFile, contentType, join(dir.path, 'bare.log'));
        try {
          bare = await measure(`${b.url}/`);
        } finally {
          await b.stop();
        }
      }
      const real = await measure(url);
      log(NAME, `${shape.what}: ${fmt.int(real.requestsPerSecond)} req/s, p99 ${fmt.ms(real.p99)}${bare ? `; bare ${fmt.int(bare.requestsPerSecond)} req/s, p99 ${fmt.ms(bare.p99)}` : ''}`);
      if (!bare) continue;
      const ratio = real.requestsPerSecond / bare.requestsPerSecond;
      const p99ok = shape.p99 === undefined || real.p99 < shape.p99;
      rows.push({
        row: shape.row,
        what: shape.what,
        measured: `${fmt.int(real.requestsPerSecond)} (p99 ${fmt.ms(real.p99)})`,
        baseline: `${fmt.int(bare.requestsPerSecond)} (p99 ${fmt.ms(bare.p99)})`,
        ratio: fmt.ratio(ratio),
        target: `≥ ${shape.min}×${shape.p99 ? `; p99 < ${shape.p99} ms` : ''}`,
        pass: ratio >= shape.min && p99ok,
        note: `body ${Buffer.byteLength(sample.body)} bytes; ${CONNECTIONS} connections, ${SIZES.httpSeconds} s after ${SIZES.httpWarmupSeconds} s warm-up; p50 ${fmt.ms(real.p50)} (bare ${fmt.ms(bare.p50)})`,
        data: { requestsPerSecond: real.requestsPerSecond, p99: real.p99 },
      });
    }
    return rows;
  } finally {
    await server?.stop();
    dir.cleanup();
  }
}
