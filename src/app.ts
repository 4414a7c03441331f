// Builds the Fastify app: logger, error envelope, routes. No listen(): tests drive it with
// app.inject(), and server.ts adds the socket, timeouts and shutdown.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { CredentialVerifier } from './auth/verifier.js';
import type { AppDeps } from './http/deps.js';
import { installErrorHandling } from './http/errorHandler.js';
import { installMethodGuard } from './http/paths.js';
import { healthRoutes } from './http/routes/health.js';
import { legacyRoutes } from './http/routes/legacy.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import type { Store } from './store/types.js';

export interface AppOptions {
  store: Store;
  now?: () => Date;
  credentialCacheMs?: number;
  webhookBodyLimit?: number;
  logger?: FastifyServerOptions['logger'];
}

// api_key travels in query strings of the legacy API; it must never reach a log line.
const SECRET_PARAM = /([?&](?:api_key|api_user)=)[^&]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAM, '$1[redacted]');
}

export function defaultLogger(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
    },
  };
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
  });
  const deps: AppDeps = {
    store: options.store,
    verifier: new CredentialVerifier(options.store, options.credentialCacheMs ?? 60_000),
    now: options.now ?? (() => new Date()),
    webhookBodyLimit: options.webhookBodyLimit ?? 16 * 1024 * 1024,
  };
  installErrorHandling(app);
  installMethodGuard(app);
  await app.register(healthRoutes);
  await app.register(legacyRoutes, deps);
  await app.register(webhookRoutes, deps);
  return app;
}
