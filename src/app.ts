// Builds the Fastify app: logger, error envelope, routes. No listen(): tests drive it with
// app.inject(), and server.ts adds the socket, timeouts and shutdown.
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import { DEFAULT_GATE_LIMITS, type GateLimits, KeyCheckGate } from './auth/keyCheckGate.js';
import { ApiError } from './domain/errors.js';
import { BearerVerifier } from './auth/bearer.js';
import { CredentialVerifier } from './auth/verifier.js';
import { clientErrorHandler } from './http/clientErrors.js';
import type { AppDeps } from './http/deps.js';
import { frameworkErrorHandler, installErrorHandling } from './http/errorHandler.js';
import { dashboardRoutes } from './http/dashboard/routes.js';
import { DEFAULT_BODY_LIMITS } from './http/batchBody.js';
import { installMethodGuard } from './http/paths.js';
import { parseQuery, redactUrl } from './http/redact.js';
import { installRequestMetrics } from './http/requestMetrics.js';
import { healthRoutes } from './http/routes/health.js';
import { opsRoutes } from './http/routes/ops.js';
import { V1, V2, legacyRoutes } from './http/routes/legacy.js';
import { provisioningRoutes } from './http/routes/provisioning.js';
import { statsGetRoutes } from './http/routes/statsGet.js';
import { v3Routes } from './http/routes/v3.js';
import { v3SubuserRoutes } from './http/routes/v3Subusers.js';
import { v3SuppressionRoutes } from './http/routes/v3Suppression.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import type { SignatureVerifiers } from './http/providerSignatures.js';
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
  /** Reverse proxies (addresses/CIDRs) whose X-Forwarded-* headers are believed; none by default. */
  trustProxy?: readonly string[];
  /** Failed-login budgets and the caps on concurrent key checks (auth/keyCheckGate.ts). */
  throttle?: Partial<GateLimits>;
  /** Provider webhook signature verifiers (tests inject fakes); the real ones by default. */
  signatureVerifiers?: SignatureVerifiers;
  /** A request (headers and body) not received within this is answered 408; default 30 s. */
  requestTimeoutMs?: number;
  /** Signs dashboard session cookies; random per app when not given. */
  sessionSecret?: string;
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
    // proxy-addr walks X-Forwarded-For from the right and stops at the first untrusted hop, so a
    // value the client wrote itself is never taken unless it only passed trusted proxies.
    trustProxy: options.trustProxy && options.trustProxy.length > 0 ? [...options.trustProxy] : false,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    logController: new OneLinePerRequest(),
    // Named, not left to the default: log redaction (http/redact.ts) decodes with this parser.
    routerOptions: { querystringParser: parseQuery },
  });
  // One gate for every way a key is presented: one budget per address, one bound on hashing.
  const gate = new KeyCheckGate({ ...DEFAULT_GATE_LIMITS, ...options.throttle });
  const deps: AppDeps = {
    store: options.store,
    verifier: new CredentialVerifier(options.store, options.credentialCacheMs ?? 60_000, gate),
    now: options.now ?? (() => new Date()),
    webhookBodyLimit: options.webhookBodyLimit ?? 16 * 1024 * 1024,
    bodyLimits: {
      maxEvents: options.maxEventsPerBody ?? DEFAULT_BODY_LIMITS.maxEvents,
      maxEventBytes: options.maxEventBytes ?? DEFAULT_BODY_LIMITS.maxEventBytes,
    },
    metrics: new AppMetrics(options.store),
  };
  deps.metrics.registerKeyChecks(() => gate.load);
  installErrorHandling(app);
  refuseWhileClosing(app);
  installMethodGuard(app);
  // Before any route, so every answer (404s and 405s included) is counted.
  installRequestMetrics(app, deps.metrics);
  await app.register(healthRoutes);
  await app.register(opsRoutes, { store: options.store, metrics: deps.metrics });
  await app.register(legacyRoutes, { ...deps, generation: V1 });
  await app.register(legacyRoutes, { ...deps, generation: V2 });
  await app.register(statsGetRoutes, deps);
  await app.register(provisioningRoutes, deps);
  await app.register(webhookRoutes, { ...deps, signatureVerifiers: options.signatureVerifiers });
  const bearer = new BearerVerifier(options.store, options.credentialCacheMs ?? 60_000, gate);
  await app.register(v3Routes, { ...deps, bearer, prefix: '/v3' });
  await app.register(v3SubuserRoutes, { ...deps, bearer, prefix: '/v3' });
  await app.register(v3SuppressionRoutes, { ...deps, bearer, prefix: '/v3' });
  await app.register(dashboardRoutes, { ...deps, sessionSecret: options.sessionSecret ?? randomBytes(32).toString('base64url') });
  return app;
}
