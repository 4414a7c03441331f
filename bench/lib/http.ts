// Plain node:http clients for the load generators: keep-alive, bodies built before the clock
// starts, so the client spends as little of the shared two cores as possible.
import http from 'node:http';

export interface Reply {
  status: number;
  body: string;
}

export function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; agent?: http.Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent: init.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (init.body !== undefined) req.end(init.body);
    else req.end();
  });
}

export interface PostRun {
  batches: number;
  events: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  seconds: number;
  /** Per-batch round-trip times, ms. */
  latencies: number[];
}

/**
 * `senders` concurrent senders take the next body from one queue until it is empty or the
 * deadline passes; a non-200 answer aborts the run.
 */
export async function postBatches(
  url: string,
  bodies: readonly string[],
  eventsPerBody: number,
  o: { senders: number; seconds: number; headers: Record<string, string> },
): Promise<PostRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.senders });
  const out: PostRun = { batches: 0, events: 0, accepted: 0, duplicates: 0, rejected: 0, seconds: 0, latencies: [] };
  let next = 0;
  const start = performance.now();
  const deadline = start + o.seconds * 1000;
  const sender = async (): Promise<void> => {
    while (next < bodies.length && performance.now() < deadline) {
      const body = bodies[next++] as string;
      const t0 = performance.now();
      const r = await request(url, { method: 'POST', headers: { ...o.headers, 'content-type': 'application/json' }, body, agent });
      out.latencies.push(performance.now() - t0);
      if (r.status !== 200) throw new Error(`webhook answered ${r.status}: ${r.body.slice(0, 300)}`);
      const j = JSON.parse(r.body) as { accepted: number; duplicates: number; rejected: unknown[] };
      out.batches += 1;
      out.events += eventsPerBody;
      out.accepted += j.accepted;
      out.duplicates += j.duplicates;
      out.rejected += j.rejected.length;
    }
  };
  try {
    await Promise.all(Array.from({ length: o.senders }, sender));
  } finally {
    agent.destroy();
  }
  out.seconds = (performance.now() - start) / 1000;
  return out;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
