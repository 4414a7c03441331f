// The webhook ingest and the operational endpoints (health, readiness, metrics, these docs).
import { JSON_TYPE, jsonResponse, legacyErrors } from './responses.js';
import type { OperationObject, PathItemObject } from './types.js';
import { ref } from './types.js';
import { ADAPTERS } from '../../providers/index.js';

const NDJSON_BODY = { schema: { type: 'string' as const, description: 'One event object per line; blank lines are skipped.' } };

const webhook: OperationObject = {
  operationId: 'ingestEvents',
  summary: 'Ingest a batch of SendGrid Event Webhook events',
  description:
    "HTTP Basic authentication with the owning reseller's api_user:api_key, so `https://r1:KEY@host/webhooks/events?user=c1` works as a SendGrid Event Webhook URL. Credentials and the customer are checked before the body is read. Valid events are applied even when others are rejected (those are quarantined with their reason); duplicates (same fingerprint) change nothing. The answer is sent only after the batch is committed. Body limit 16 MiB by default (MAILTALLY_WEBHOOK_BODY_LIMIT), at most 10,000 events per body (MAILTALLY_MAX_EVENTS_PER_BODY; 413 beyond), an item over 256 KiB (MAILTALLY_MAX_EVENT_BYTES) rejected unparsed. NDJSON sent as application/json is read as NDJSON when it is two or more lines of JSON.",
  tags: ['ingest'],
  security: [{ basicAuth: [] }],
  parameters: [
    { name: 'user', in: 'query', required: true, description: "The customer's username (another reseller's customer answers as an unknown one).", schema: { type: 'string', minLength: 1 } },
    {
      name: 'X-Twilio-Email-Event-Webhook-Signature',
      in: 'header',
      description: 'Required when the customer has a webhook verification key: base64 ECDSA P-256/SHA-256 signature over the timestamp header followed by the raw body, as SendGrid signs.',
      schema: { type: 'string' },
    },
    { name: 'X-Twilio-Email-Event-Webhook-Timestamp', in: 'header', description: 'Required with the signature.', schema: { type: 'string' } },
  ],
  requestBody: {
    required: true,
    content: {
      [JSON_TYPE]: { schema: { type: 'array', items: ref('schemas', 'WebhookEvent') } },
      'application/x-ndjson': NDJSON_BODY,
      'application/ndjson': NDJSON_BODY,
    },
  },
  responses: {
    200: jsonResponse('The batch is committed.', 'IngestResult'),
    ...legacyErrors('json', [400, 401, 403, 405, 413, 415, 429, 503], 'POST', 'Basic realm="mailtally"'),
  },
};

const providerWebhook = (provider: string): OperationObject => ({
  operationId: `ingest_${provider}`,
  summary: `Ingest ${provider}'s tracking webhook`,
  description:
    "The provider's webhook exactly as it sends it (README, Other providers; /webhooks/sendgrid is /webhooks/events); /webhooks/<any other name> is 404. Same Basic authentication, limits, answer after the commit, and quarantine (of the provider's item, kept whole) as /webhooks/events. Mailgun, Resend and Postal requests must be signed once the customer has a key for that provider (`customer set-webhook-key --provider`); a Mailgun token reused with another body is refused as a replay.",
  tags: ['ingest'],
  security: [{ basicAuth: [] }],
  parameters: [
    { name: 'user', in: 'query', required: true, description: "The customer's username (another reseller's customer answers as an unknown one).", schema: { type: 'string', minLength: 1 } },
  ],
  requestBody: {
    required: true,
    content: {
      [JSON_TYPE]: { schema: { description: "The provider's own payload: one object, or an array (SparkPost always; Mailjet grouped; Brevo batched)." } },
      'text/plain': { schema: { type: 'string', description: 'The same JSON, as some senders label it.' } },
    },
  },
  responses: {
    200: jsonResponse('The batch is committed.', 'IngestResult'),
    ...legacyErrors('json', [400, 401, 403, 405, 413, 415, 429, 503], 'POST', 'Basic realm="mailtally"'),
  },
});

const open = (operationId: string, summary: string, description: string, responses: OperationObject['responses']): OperationObject => ({
  operationId,
  summary,
  description,
  tags: ['operations'],
  security: [],
  responses,
});

export function servicePaths(): Record<string, PathItemObject> {
  return {
    '/webhooks/events': { post: webhook },
    ...Object.fromEntries(Object.keys(ADAPTERS).map((p) => [`/webhooks/${p}`, { post: providerWebhook(p) }])),
    '/healthz': {
      get: open('healthz', 'Liveness', 'Answers 200 as soon as the server accepts requests; storage is not consulted.', { 200: jsonResponse('Alive.', 'Health') }),
      head: open('healthzHead', 'Liveness, without a body', 'As GET /healthz, headers only.', { 200: { description: 'Alive.' } }),
    },
    '/readyz': {
      get: open('readyz', 'Readiness', 'Storage answers a query and its schema has every migration this version ships.', {
        200: jsonResponse('Ready to serve.', 'Ready'),
        503: {
          description: 'Not ready: `error in storage: is not reachable` (or did not answer in time), or `error in migrations: …` when the database schema is behind.',
          content: { [JSON_TYPE]: { schema: ref('schemas', 'LegacyError') } },
        },
      }),
      head: open('readyzHead', 'Readiness, without a body', 'As GET /readyz, headers only.', { 200: { description: 'Ready to serve.' }, 503: { description: 'Not ready.' } }),
    },
    '/metrics': {
      get: open('metrics', 'Prometheus metrics', 'HTTP requests and latency by route pattern and status, webhook events by outcome, batch sizes, PostgreSQL pool use, process metrics.', {
        200: { description: 'Prometheus text exposition format 0.0.4.', content: { 'text/plain': { schema: { type: 'string' } } } },
      }),
    },
    '/openapi.json': {
      get: open('openapi', 'This document', 'OpenAPI 3.0.', { 200: { description: 'The OpenAPI document.', content: { [JSON_TYPE]: { schema: { type: 'object' } } } } }),
    },
    '/docs': {
      get: open('docs', 'This document, rendered', 'Swagger UI, served from the installed package (no CDN).', {
        200: { description: 'An HTML page.', content: { 'text/html': { schema: { type: 'string' } } } },
      }),
    },
  };
}
