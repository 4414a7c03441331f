// The operational surface beside the APIs: readiness, Prometheus metrics, the OpenAPI document
// and its rendering. (Liveness, /healthz, is health.ts.)
import type { FastifyInstance } from 'fastify';
import type { AppMetrics } from '../../metrics/appMetrics.js';
import type { Store } from '../../store/types.js';
import { docsRoutes } from './docs.js';
import { metricsRoutes } from './metrics.js';
import { readinessRoutes } from './readiness.js';

export async function opsRoutes(app: FastifyInstance, opts: { store: Store; metrics: AppMetrics }): Promise<void> {
  await app.register(readinessRoutes, { store: opts.store });
  await app.register(metricsRoutes, { metrics: opts.metrics });
  await app.register(docsRoutes);
}
