// GET /metrics: Prometheus text format. Unauthenticated, as scrapers expect; it holds counts and
// route patterns only, never a key, a customer name or a URL. Keep it off the public internet
// (the server listens on 127.0.0.1 by default; behind a proxy, do not forward /metrics).
import type { FastifyInstance } from 'fastify';
import type { AppMetrics } from '../../metrics/appMetrics.js';

export async function metricsRoutes(app: FastifyInstance, opts: { metrics: AppMetrics }): Promise<void> {
  app.get('/metrics', async (_request, reply) => {
    const text = await opts.metrics.text();
    return reply.type(opts.metrics.contentType).header('cache-control', 'no-store').send(text);
  });
}
