// Builds the Fastify app: logger, error envelope, routes. No listen(): tests drive it with
// app.inject(), and server.ts adds the socket, timeouts and shutdown.
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import { ApiError } from './domain/errors.js';
import { AuthThrottle, type ThrottleLimits } from './auth/throttle.js';
import { BearerVerifier } from './auth/bearer.js';
import { CredentialVerifier } from './auth/verifier.js';
import { clientErrorHandler } from './http/clientErrors.js';
import type { AppDeps } from './http/deps.js';
import { frameworkErrorHandler, installErrorHandling } from './http/errorHandler.js';
import { dashboardRoutes } from './http/dashboard/routes.js';
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
  logger?: FastifyServerOptions['logger'];
  trustProxy?: boolean;
  throttle?: ThrottleLimits;
  /** A request (headers and body) not received within this is answered 408; default 30 s. */
  requestTimeoutMs?: number;
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

/**
 * Once the app is closing, a request that still arrives (on a keep-alive connection that was
 * busy when the shutdown began) is answered 503 in its envelope with `Connection: close`, so
 * its client retries elsewhere; requests already running finish.
 */
function refuseWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    throw new ApiError('unavailable', ['error in server: shutting down, retry later']);
  });
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const app = Fastify({
    logger: options.logger ?? false,
    exposeHeadRoutes: false,
    // A reseller's dashboards poll; keep idle sockets short, and never let one request hang.
    requestTimeout: requestTimeoutMs,
    // requestTimeout must also reach http.createServer: set only afterwards (as Fastify does), Node
    // stops timing a request once its headers are in, and a trickled body could hold it for ever.
    // Node checks for timed-out requests every 30 s by default, which would let a request run up
    // to twice its timeout; a check every quarter of it keeps the overrun small.
    http: { requestTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(requestTimeoutMs / 4))) },
    connectionTimeout: 60_000,
    keepAliveTimeout: 5_000,
    // Requests arriving while the server closes get their 503 in the envelope (refuseWhileClosing).
    return503OnClosing: false,
    trustProxy: options.trustProxy ?? false,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    logController: new OneLinePerRequest(),
  });
  const deps: AppDeps = {
    store: options.store,
    verifier: new CredentialVerifier(options.store, options.credentialCacheMs ?? 60_000, new AuthThrottle(options.throttle)),
    now: options.now ?? (() => new Date()),
    webhookBodyLimit: options.webhookBodyLimit ?? 16 * 1024 * 1024,
    metrics: new AppMetrics(options.store),
  };
  installErrorHandling(app);
  refuseWhileClosing(app);
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
