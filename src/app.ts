// Builds the Fastify app: logger, error envelope, routes. No listen(): tests drive it with
// app.inject(), and server.ts adds the socket, timeouts and shutdown.
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import { AuthThrottle, type ThrottleLimits } from './auth/throttle.js';
import { BearerVerifier } from './auth/bearer.js';
import { CredentialVerifier } from './auth/verifier.js';
import type { AppDeps } from './http/deps.js';
import { frameworkErrorHandler, installErrorHandling } from './http/errorHandler.js';
import { dashboardRoutes } from './http/dashboard/routes.js';
import { DEFAULT_BODY_LIMITS } from './http/batchBody.js';
import { installMethodGuard } from './http/paths.js';
import { installRequestMetrics } from './http/requestMetrics.js';
import { healthRoutes } from './http/routes/health.js';
import { opsRoutes } from './http/routes/ops.js';
import { V1, V2, legacyRoutes } from './http/routes/legacy.js';
import { v3Routes } from './http/routes/v3.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import { AppMetrics } from './metrics/appMetrics.js';
import type { Store } from './store/types.js';

export interface AppOptions {
  store: Store;
  now?: () => Date;
  credentialCacheMs?: number;
  webhookBodyLimit?: number;
  /** Most events one webhook body may hold (default 10,000). */
  maxEventsPerBody?: number;
  /** Larger webhook items are rejected unparsed (default 256 KiB). */
  maxEventBytes?: number;
  logger?: FastifyServerOptions['logger'];
  trustProxy?: boolean;
  throttle?: ThrottleLimits;
  /** Signs dashboard session cookies; random per app when not given. */
  sessionSecret?: string;
}

// api_key travels in query strings of the legacy API; it must never reach a log line.
const SECRET_PARAM = /([?&](?:api_key|api_user)=)[^&]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAM, '$1[redacted]');
}

export function defaultLogger(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-twilio-email-event-webhook-signature"]',
        'req.headers["x-twilio-email-event-webhook-timestamp"]',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
    },
  };
}

/** One log line per request, written when it completes, instead of Fastify's two. */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    exposeHeadRoutes: false,
    // A reseller's dashboards poll; keep idle sockets short, and never let one request hang.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    trustProxy: options.trustProxy ?? false,
    frameworkErrors: frameworkErrorHandler,
    logController: new OneLinePerRequest(),
  });
  const deps: AppDeps = {
    store: options.store,
    verifier: new CredentialVerifier(options.store, options.credentialCacheMs ?? 60_000, new AuthThrottle(options.throttle)),
    now: options.now ?? (() => new Date()),
    webhookBodyLimit: options.webhookBodyLimit ?? 16 * 1024 * 1024,
    bodyLimits: {
      maxEvents: options.maxEventsPerBody ?? DEFAULT_BODY_LIMITS.maxEvents,
      maxEventBytes: options.maxEventBytes ?? DEFAULT_BODY_LIMITS.maxEventBytes,
    },
    metrics: new AppMetrics(options.store),
  };
  installErrorHandling(app);
  installMethodGuard(app);
  // Before any route, so every answer (404s and 405s included) is counted.
  installRequestMetrics(app, deps.metrics);
  await app.register(healthRoutes);
  await app.register(opsRoutes, { store: options.store, metrics: deps.metrics });
  await app.register(legacyRoutes, { ...deps, generation: V1 });
  await app.register(legacyRoutes, { ...deps, generation: V2 });
  await app.register(webhookRoutes, deps);
  const bearer = new BearerVerifier(options.store, options.credentialCacheMs ?? 60_000, new AuthThrottle(options.throttle));
  await app.register(v3Routes, { ...deps, bearer, prefix: '/v3' });
  await app.register(dashboardRoutes, { ...deps, sessionSecret: options.sessionSecret ?? randomBytes(32).toString('base64url') });
  return app;
}
