// POST /webhooks/events?user=<username>, Basic auth of the owning reseller, so a SendGrid Event
// Webhook URL https://r1:KEY@host/webhooks/events?user=c1 works as is (SPEC section 4).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, userNotFound } from '../../domain/errors.js';
import { ParamErrors, collectParams, single } from '../../domain/params.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '../../auth/webhookSignature.js';
import { ingestBatch, rejectedCount } from '../../services/ingest.js';
import { type BodyKind, parseBatchBody } from '../batchBody.js';
import type { Customer } from '../../store/types.js';
import type { AppDeps } from '../deps.js';
import type { SignatureVerifiers } from '../providerSignatures.js';
import { providerWebhookRoutes } from './providerWebhooks.js';

const BODY_KINDS: Record<string, BodyKind> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
};

function basicCredentials(request: FastifyRequest): { user?: string; key?: string } {
  const header = request.headers.authorization;
  if (!header) return {};
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return {};
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return {};
  return { user: decoded.slice(0, colon), key: decoded.slice(colon + 1) };
}

/** Nothing is applied unless the signature verifies (SendGrid's signed Event Webhook). */
function checkSignature(request: FastifyRequest, pem: string, body: Buffer): void {
  const signature = request.headers[SIGNATURE_HEADER];
  const timestamp = request.headers[TIMESTAMP_HEADER];
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || signature === '' || timestamp === '') {
    throw new ApiError('forbidden', ['error in signature: this customer requires signed webhooks; X-Twilio-Email-Event-Webhook-Signature and -Timestamp headers are missing']);
  }
  if (!verifyWebhookSignature(pem, timestamp, body, signature)) {
    throw new ApiError('forbidden', ['error in signature: does not verify against the customer\'s webhook key']);
  }
}

export async function webhookRoutes(app: FastifyInstance, deps: AppDeps & { signatureVerifiers?: SignatureVerifiers | undefined }): Promise<void> {
  // Bodies are kept as text here and parsed by parseBatchBody, which knows both formats and
  // reports errors in the envelope; the parsers are scoped to this plugin only.
  app.removeAllContentTypeParsers();
  // Raw bytes: a signature covers them exactly, before any decoding.
  app.addContentTypeParser(Object.keys(BODY_KINDS), { parseAs: 'buffer', bodyLimit: deps.webhookBodyLimit }, (_req, body, done) => done(null, body));

  // Credentials and the customer are checked before the body is read, so an unauthenticated
  // sender cannot make the server buffer 16 MiB first.
  app.decorateRequest('customer', null);
  async function authorize(request: FastifyRequest): Promise<void> {
    const { user: apiUser, key } = basicCredentials(request);
    const reseller = await deps.verifier.authenticate(apiUser, key, request.ip);

    const errors = new ParamErrors();
    const username = single(collectParams(request.query as Record<string, unknown>), 'user', errors);
    errors.throwIfAny();
    if (username === undefined) throw new ApiError('bad_request', ['error in user: is required']);
    const customer = await deps.store.findCustomer(username);
    if (!customer || customer.resellerId !== reseller.id) throw userNotFound();
    request.customer = customer;
  }

  // /webhooks/sendgrid is the same endpoint under its provider name (SPEC section 7).
  app.post('/webhooks/sendgrid', { onRequest: authorize }, async (request) => sendgridHandler(request));
  app.post('/webhooks/events', { onRequest: authorize }, async (request) => sendgridHandler(request));
  async function sendgridHandler(request: FastifyRequest) {
    const customer = request.customer as Customer;
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (customer.webhookKey) checkSignature(request, customer.webhookKey, body);
    const mediaType = (request.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
    const items = await parseBatchBody(BODY_KINDS[mediaType] ?? 'json', body.toString('utf8'), deps.bodyLimits);
    const result = await ingestBatch(deps.store, customer, items, deps.now());
    deps.metrics.observeBatch(items.length, { accepted: result.accepted, duplicates: result.duplicates, rejected: rejectedCount(result) });
    return result;
  }

  // The other providers; SES through SNS posts text/plain, which only these routes accept.
  await app.register(async (providers) => {
    providers.addContentTypeParser('text/plain', { parseAs: 'buffer', bodyLimit: deps.webhookBodyLimit }, (_req, body, done) => done(null, body));
    providerWebhookRoutes(providers, deps, authorize);
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    customer: Customer | null;
  }
}
