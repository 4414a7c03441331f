import type { FastifyInstance } from 'fastify';
import { ApiError } from '../domain/errors.js';
import { ADAPTERS } from '../providers/index.js';

// The paths the server answers and the HTTP methods each takes. A request for a known path with
// another method — including methods the router has never heard of, such as PROPFIND — gets
// 405 with an Allow header instead of a 404.
const KNOWN: Array<{ path: RegExp; allow: string }> = [
  { path: /^\/api\/stats\.get\.(?:json|xml)$/, allow: 'GET, POST' },
  { path: /^\/api\/distributor\.manage(?:Subuser)?\.(?:json|xml)$/, allow: 'GET, POST' },
  { path: /^\/api\/distributor\.(?:add|delete)\.(?:json|xml)$/, allow: 'GET, POST' },
  { path: /^\/apiv2\/reseller\.manage(?:Subuser)?\.(?:json|xml)$/, allow: 'GET, POST' },
  { path: /^\/v3\/(?:stats|subusers\/stats(?:\/sums|\/monthly)?|categories\/stats(?:\/sums)?)$/, allow: 'GET' },
  { path: /^\/v3\/subusers$/, allow: 'GET, POST' },
  { path: /^\/v3\/subusers\/[^/]+$/, allow: 'PATCH, DELETE' },
  { path: /^\/v3\/suppression\/(?:bounces|blocks|invalid_emails|spam_reports|unsubscribes)(?:\/[^/]+)?$/, allow: 'GET, DELETE' },
  { path: /^\/v3\/suppression\/spam_report\/[^/]+$/, allow: 'GET, DELETE' },
  { path: /^\/webhooks\/events$/, allow: 'POST' },
  { path: new RegExp(`^/webhooks/(?:${Object.keys(ADAPTERS).join('|')})$`), allow: 'POST' },
  { path: /^\/(?:healthz|readyz)$/, allow: 'GET, HEAD' },
  { path: /^\/(?:metrics|openapi\.json|docs)$/, allow: 'GET' },
  { path: /^\/docs\/(?:swagger-ui\.css|swagger-ui-bundle\.js|swagger-ui-standalone-preset\.js|swagger-initializer\.js|favicon-32x32\.png)$/, allow: 'GET' },
  { path: /^\/dashboard(?:\/assets\/[^/]+|\/api\/me|\/api\/customers\/[^/]+\/series)?$/, allow: 'GET' },
  { path: /^\/dashboard\/api\/customers$/, allow: 'GET, POST' },
  { path: /^\/dashboard\/api\/customers\/[^/]+\/(?:enable|disable)$/, allow: 'POST' },
  { path: /^\/dashboard\/api\/customers\/[^/]+$/, allow: 'DELETE' },
  { path: /^\/dashboard\/log(?:in|out)$/, allow: 'POST' },
  { path: /^\/dashboard\/api\/customers\/[^/]+\/suppressions\/[^/]+$/, allow: 'GET, DELETE' },
  { path: /^\/dashboard\/api\/customers\/[^/]+\/suppressions\/[^/]+\/csv$/, allow: 'GET' },
];

/** The Allow header value for a known path, or undefined for an unknown one. */
export function allowedMethods(url: string): string | undefined {
  const path = url.split('?', 1)[0] ?? '';
  return KNOWN.find((k) => k.path.test(path))?.allow;
}

/** The 405 for a known path asked with a method it does not take; undefined otherwise. */
export function wrongMethod(method: string, url: string): ApiError | undefined {
  const allow = allowedMethods(url);
  if (!allow || allow.split(', ').includes(method)) return undefined;
  return new ApiError('method_not_allowed', [`error in request: HTTP method must be ${allow.replace(', ', ' or ')}`]);
}

/**
 * Refuses wrong methods before anything else runs: the router would otherwise send methods it
 * knows (QUERY) through body parsing, and ones it does not (PROPFIND) to the 404 handler.
 */
export function installMethodGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const err = wrongMethod(request.method, request.url);
    if (err) throw err;
  });
}
