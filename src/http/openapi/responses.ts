// Response objects shared by the paths: success bodies and the error answers of each envelope,
// with the headers that go with them (Allow, Retry-After, WWW-Authenticate).
import type { HeaderObject, MediaTypeObject, ResponseObject } from './types.js';
import { ref } from './types.js';

export type Format = 'json' | 'xml';

export const JSON_TYPE = 'application/json';
export const XML_TYPE = 'application/xml';

export function jsonResponse(description: string, schema: string, headers?: Record<string, HeaderObject>): ResponseObject {
  return { description, ...(headers ? { headers } : {}), content: { [JSON_TYPE]: { schema: ref('schemas', schema) } } };
}

const header = (description: string): HeaderObject => ({ description, schema: { type: 'string' } });

/** What each status means, for either envelope. */
const MEANING: Record<number, string> = {
  400: 'A parameter is missing or wrong, or the customer is unknown or another reseller’s (the two answer identically).',
  401: 'Missing or wrong credentials.',
  403: 'The customer requires signed webhooks and the signature is missing or does not verify; nothing was applied.',
  404: 'Unknown `method`.',
  405: 'HTTP method not allowed on this path.',
  413: 'The body is larger than the limit.',
  415: 'Unsupported Content-Type.',
  429: 'Too many failed authentication attempts from this address (or for this api_user); retry after Retry-After seconds.',
  503: 'Storage is busy or unreachable; retry later (never a 5xx for anything a client sends).',
};

function headersFor(status: number, allow: string, auth?: string): Record<string, HeaderObject> | undefined {
  if (status === 405) return { Allow: header(`The methods this path takes: ${allow}.`) };
  if (status === 429) return { 'Retry-After': header('Seconds to wait before trying again.') };
  if (status === 401 && auth) return { 'WWW-Authenticate': header(auth) };
  return undefined;
}

const XML_ERROR_EXAMPLE = '<?xml version="1.0" encoding="UTF-8"?><result><message>error</message><errors><error>Bad username / password</error></errors></result>';

/** Legacy envelope errors in the endpoint's format: {"message":"error","errors":[…]} or its XML. */
export function legacyErrors(format: Format, statuses: readonly number[], allow: string, auth?: string): Record<string, ResponseObject> {
  const content: Record<string, MediaTypeObject> =
    format === 'json'
      ? { [JSON_TYPE]: { schema: ref('schemas', 'LegacyError') } }
      : { [XML_TYPE]: { schema: { type: 'string' as const, description: 'LegacyError as XML' }, example: XML_ERROR_EXAMPLE } };
  return Object.fromEntries(
    statuses.map((status) => {
      const headers = headersFor(status, allow, auth);
      return [String(status), { description: MEANING[status] ?? 'Error.', ...(headers ? { headers } : {}), content }];
    }),
  );
}

/** v3 envelope errors: {"errors":[{"field","message"}]}. */
export function v3Errors(statuses: readonly number[]): Record<string, ResponseObject> {
  return Object.fromEntries(
    statuses.map((status) => {
      const headers = headersFor(status, 'GET', 'Bearer realm="mailtally"');
      const description =
        status === 401
          ? 'Missing or wrong Bearer key: {"field":null,"message":"Permission denied, wrong credentials"}.'
          : status === 403
            ? "A customer's own key where only its reseller's works (the subuser endpoints: `access forbidden`), or with an on-behalf-of header."
            : MEANING[status] ?? 'Error.';
      return [String(status), { description, ...(headers ? { headers } : {}), content: { [JSON_TYPE]: { schema: ref('schemas', 'V3Error') } } }];
    }),
  );
}
