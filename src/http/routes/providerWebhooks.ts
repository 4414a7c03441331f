// POST /webhooks/<provider>?user=<username> (SPEC section 7): each provider's webhook as it
// sends it, through the same authorisation and ingest path as /webhooks/events. Registered by
// webhookRoutes, whose Basic auth and raw-body parsers it shares.
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { ApiError } from '../../domain/errors.js';
import { ADAPTERS, adapterFor } from '../../providers/index.js';
import { handleSesRequest, parseTopicArnAllowlist } from '../../providers/sesRequest.js';
import { fetchSnsCertificate, fetchSnsUrl } from '../../providers/sns/fetch.js';
import type { ProviderItem, ProviderRequest } from '../../providers/types.js';
import { rejectedCount } from '../../services/ingest.js';
import { ingestProviderItems } from '../../services/providerIngest.js';
import type { Customer } from '../../store/types.js';
import type { AppDeps } from '../deps.js';
import { checkProviderItems, parseProviderBody } from '../providerBody.js';
import { REAL_VERIFIERS, SIGNING_PROVIDERS, type SignatureVerifiers, checkProviderSignature } from '../providerSignatures.js';

export function providerRequestOf(request: FastifyRequest): ProviderRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value[0] : value;
  return {
    body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
    contentType: (request.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '',
    headers,
  };
}

/** Unknown providers are 404 before credentials are looked at: the path itself does not exist. */
const knownProvider: onRequestHookHandler = async (request) => {
  const { provider } = request.params as { provider: string };
  if (!adapterFor(provider)) throw new ApiError('not_found', [`error in provider: unknown provider; use one of ${Object.keys(ADAPTERS).join(', ')}`]);
};

export function providerWebhookRoutes(
  app: FastifyInstance,
  deps: AppDeps & { signatureVerifiers?: SignatureVerifiers | undefined },
  authorize: (request: FastifyRequest) => Promise<void>,
): void {
  const verifiers = deps.signatureVerifiers ?? REAL_VERIFIERS;
  app.post('/webhooks/:provider', { onRequest: [knownProvider, authorize] }, async (request) => {
    const { provider } = request.params as { provider: string };
    const adapter = adapterFor(provider);
    if (!adapter) throw new ApiError('not_found', ['error in provider: unknown provider']);
    const customer = request.customer as Customer;
    const req = providerRequestOf(request);
    const now = deps.now();
    let items: ProviderItem[];
    if (provider === 'ses') {
      // SNS messages are always verified; the customer's SES "key" is its TopicArn allowlist.
      const allowlist = await deps.store.providerWebhookKey(customer.id, 'ses');
      const ses = await handleSesRequest(req, {
        fetchCertificate: verifiers.fetchSnsCertificate ?? fetchSnsCertificate,
        fetchUrl: verifiers.fetchSnsUrl ?? fetchSnsUrl,
        allowedTopicArns: allowlist === null ? [] : parseTopicArnAllowlist(allowlist),
        nowSeconds: Math.floor(now.getTime() / 1000),
      });
      if (ses.kind === 'confirmed') return { accepted: 0, duplicates: 0, rejected: [] };
      items = checkProviderItems(ses.items, deps.bodyLimits);
    } else {
      if (SIGNING_PROVIDERS.includes(provider)) {
        const key = await deps.store.providerWebhookKey(customer.id, provider);
        if (key !== null) await checkProviderSignature(provider, key, req, customer, deps.store, verifiers, now);
      }
      items = await parseProviderBody(adapter, req, deps.bodyLimits);
    }
    const result = await ingestProviderItems(deps.store, customer, provider, items, now);
    deps.metrics.observeBatch(items.length, { accepted: result.accepted, duplicates: result.duplicates, rejected: rejectedCount(result) });
    return result;
  });
}
