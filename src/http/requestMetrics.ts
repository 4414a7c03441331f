// Counts and times every answer, labelled by the route's pattern. Requests that matched no
// route (404s, and 405s for methods a path does not take) share one label, so a scanner trying
// random URLs cannot create new series, and no URL — with its api_key — ever becomes a label.
import type { FastifyInstance } from 'fastify';
import type { AppMetrics } from '../metrics/appMetrics.js';

export const UNMATCHED_ROUTE = 'unmatched';

export function installRequestMetrics(app: FastifyInstance, metrics: AppMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
}
