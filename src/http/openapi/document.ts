// The OpenAPI 3.0 document served at /openapi.json (and rendered at /docs): every endpoint the
// server answers, with the parameter rules the parsers enforce. Built once, at first request.
import { readFileSync } from 'node:fs';
import { legacyPaths, LEGACY_PARAMETERS } from './legacyPaths.js';
import { SCHEMAS } from './schemas.js';
import { provisioningPaths } from './provisioningPaths.js';
import { statsGetPaths } from './statsGetPaths.js';
import { servicePaths } from './servicePaths.js';
import { suppressionPaths } from './suppressionPaths.js';
import type { OpenApiDocument } from './types.js';
import { V3_PARAMETERS, v3Paths } from './v3Paths.js';

// src/http/openapi/ and dist/http/openapi/ are both three levels below the package root.
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const DESCRIPTION = `Self-hosted email statistics for resellers: SendGrid's retired reseller Customer Statistics API (v1), its v2 and the v3 statistics endpoints, answered from daily rollups fed by the Event Webhook format.

Every answer is a documented status in the endpoint's envelope: the legacy \`{"message":"error","errors":[…]}\` (or its XML) on v1, v2, the webhook and /readyz; \`{"errors":[{"field","message"}]}\` on v3. Unknown paths answer 404, known paths asked with another HTTP method 405 with an \`Allow\` header.`;

export function buildOpenApiDocument(): OpenApiDocument {
  return {
    openapi: '3.0.3',
    info: { title: 'mailtally', version: packageVersion(), description: DESCRIPTION, license: { name: 'MIT' } },
    tags: [
      { name: 'v1', description: 'The legacy reseller Customer Statistics API (five metrics).' },
      { name: 'v2', description: 'The v2 reseller call: v1’s parameters and rules, extended rows.' },
      { name: 'v3', description: 'SendGrid v3 statistics for the reseller’s customers (subusers).' },
      { name: 'ingest', description: 'Event Webhook ingest.' },
      { name: 'operations', description: 'Health, readiness, metrics and this documentation.' },
    ],
    paths: { ...legacyPaths(), ...statsGetPaths(), ...provisioningPaths(), ...v3Paths(), ...suppressionPaths(), ...servicePaths() },
    components: {
      schemas: SCHEMAS,
      parameters: { ...LEGACY_PARAMETERS, ...V3_PARAMETERS },
      securitySchemes: {
        apiUser: { type: 'apiKey', in: 'query', name: 'api_user', description: "The reseller (v1/v2), or on stats.get a reseller or a customer's username; may also be sent in the form body." },
        apiKey: { type: 'apiKey', in: 'query', name: 'api_key', description: "The account's key; may also be sent in the form body." },
        basicAuth: { type: 'http', scheme: 'basic', description: 'api_user:api_key of the customer’s reseller (webhook).' },
        bearerAuth: { type: 'http', scheme: 'bearer', description: "A reseller's api_key, or a customer's own on /v3/stats and /v3/categories/stats[/sums] (v3); the key alone names the account." },
      },
    },
  };
}

let cached: string | undefined;

/** The document as JSON text; it never changes while the process runs. */
export function openApiJson(): string {
  return (cached ??= JSON.stringify(buildOpenApiDocument()));
}
