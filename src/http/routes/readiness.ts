// GET (and HEAD) /readyz: 200 once storage answers and its schema is current; otherwise 503 in the JSON
// envelope, so a load balancer takes this process out of rotation until it recovers. Liveness
// (/healthz) stays separate: a database outage must not get healthy processes restarted.
import type { FastifyInstance } from 'fastify';
import { ApiError, paramMessage } from '../../domain/errors.js';
import { checkReadiness } from '../../services/readiness.js';
import type { Store } from '../../store/types.js';
import { sendError } from '../errorHandler.js';

export async function readinessRoutes(app: FastifyInstance, opts: { store: Store }): Promise<void> {
  app.get('/readyz', { exposeHeadRoute: true }, async (request, reply) => {
    const readiness = await checkReadiness(opts.store);
    if (readiness.ready) return { status: 'ready' };
    // The cause is logged here, with what failed; the client only learns which check failed.
    request.log.warn({ err: readiness.cause, check: readiness.subject }, `not ready: ${readiness.subject} ${readiness.reason}`);
    return sendError(request, reply, new ApiError('unavailable', [paramMessage(readiness.subject, readiness.reason)]));
  });
}
