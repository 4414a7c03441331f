// SendGrid's own Event Webhook: already the dialect, so each event maps to itself. The route
// serves /webhooks/sendgrid with the /webhooks/events handler; this adapter is for
// `events import --provider sendgrid` and for callers that go through the registry.
import { item, notEnvelope, parseJson } from './mapping.js';
import type { ProviderAdapter, ProviderItem, ProviderRequest } from './types.js';

export const sendgridAdapter: ProviderAdapter = {
  name: 'sendgrid',
  parse(request: ProviderRequest): ProviderItem[] {
    if (request.contentType === 'application/x-ndjson' || request.contentType === 'application/ndjson') {
      return request.body
        .toString('utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          try {
            const value: unknown = JSON.parse(line);
            return item(value, [{ event: value as Record<string, unknown> }]);
          } catch {
            return item(line, 'event is not valid JSON');
          }
        });
    }
    const body = parseJson(request);
    if (!Array.isArray(body)) throw notEnvelope('sendgrid', 'expected a JSON array of events');
    // Non-objects are passed on so the validator gives its usual reason.
    return body.map((value) => item(value, [{ event: value as Record<string, unknown> }]));
  },
};
