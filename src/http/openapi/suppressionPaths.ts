// v3 /v3/suppression/* (SPEC section 9; routes/v3Suppression.ts): one pair of paths per list,
// written out, so the document names exactly the paths the server answers.
import { MAX_DELETE_EMAILS, V3_MAX_LIMIT } from '../../domain/suppressionQuery.js';
import { JSON_TYPE, v3Errors } from './responses.js';
import type { OperationObject, ParameterObject, PathItemObject, SchemaObject } from './types.js';

const LISTS: Record<string, { what: string; fields: Record<string, SchemaObject> }> = {
  bounces: { what: 'bounces', fields: { reason: { type: 'string' }, status: { type: 'string' } } },
  blocks: { what: 'blocks', fields: { reason: { type: 'string' }, status: { type: 'string' } } },
  invalid_emails: { what: 'invalid emails (drops with reason Invalid)', fields: { reason: { type: 'string' } } },
  spam_reports: { what: 'spam reports', fields: { ip: { type: 'string', description: 'Always empty: spam report events do not carry the sending IP.' } } },
  unsubscribes: { what: 'global unsubscribes (not group unsubscribes)', fields: {} },
};

const ON_BEHALF_OF: ParameterObject = {
  name: 'on-behalf-of',
  in: 'header',
  description: "The customer's username, required with a reseller's key (unknown and another reseller's customers both answer 400 `subuser not found`); with a customer's own key, its own lists are read and any on-behalf-of is 403.",
  schema: { type: 'string', minLength: 1 },
};
const EMAIL: ParameterObject = { name: 'email', in: 'path', required: true, description: 'The address (matched case-insensitively).', schema: { type: 'string' } };
const int = (name: string, description: string, min: number, max?: number, def?: number): ParameterObject => ({
  name,
  in: 'query',
  description,
  schema: { type: 'integer', minimum: min, ...(max !== undefined ? { maximum: max } : {}), ...(def !== undefined ? { default: def } : {}) },
});

function entries(fields: Record<string, SchemaObject>): SchemaObject {
  return {
    type: 'array',
    items: { type: 'object', required: ['created', 'email', ...Object.keys(fields)], properties: { created: { type: 'integer', description: 'When the address was last added, unix seconds.' }, email: { type: 'string' }, ...fields } },
  };
}

function op(id: string, summary: string, parameters: ParameterObject[], ok: OperationObject['responses'], extra: Partial<OperationObject> = {}): OperationObject {
  return { operationId: id, summary, tags: ['v3'], security: [{ bearerAuth: [] }], parameters: [ON_BEHALF_OF, ...parameters], responses: { ...ok, ...v3Errors([400, 401, 403, 404, 405, 429, 503]) }, ...extra };
}

export function suppressionPaths(): Record<string, PathItemObject> {
  const out: Record<string, PathItemObject> = {};
  for (const [list, { what, fields }] of Object.entries(LISTS)) {
    const Name = list.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase());
    const answer = { 200: { description: `The ${what}, newest first.`, content: { [JSON_TYPE]: { schema: entries(fields) } } } };
    out[`/v3/suppression/${list}`] = {
      get: op(`v3Suppression${Name}`, `A page of the customer's ${what}`, [
        int('start_time', '`created` from (unix seconds, inclusive).', 0),
        int('end_time', '`created` up to (unix seconds, inclusive).', 0),
        int('limit', 'Entries per page.', 1, V3_MAX_LIMIT, V3_MAX_LIMIT),
        int('offset', 'Entries to skip.', 0, undefined, 0),
      ], answer),
      delete: op(`v3Suppression${Name}Delete`, `Delete some or all of the customer's ${what}`, [], { 204: { description: 'Deleted (addresses not listed are ignored).' } }, {
        requestBody: {
          required: true,
          content: {
            [JSON_TYPE]: {
              schema: { type: 'object', description: `Either \`delete_all: true\` or \`emails\` (at most ${MAX_DELETE_EMAILS}), not both.`, properties: { delete_all: { type: 'boolean' }, emails: { type: 'array', items: { type: 'string' }, maxItems: MAX_DELETE_EMAILS } } },
            },
          },
        },
      }),
    };
    out[`/v3/suppression/${list}/{email}`] = {
      get: op(`v3Suppression${Name}One`, `One address of the customer's ${what}`, [EMAIL], { 200: { description: 'The entry, or an empty array.', content: { [JSON_TYPE]: { schema: entries(fields) } } } }),
      delete: op(`v3Suppression${Name}OneDelete`, `Delete one address from the customer's ${what}`, [EMAIL], { 204: { description: 'Deleted; 404 `email does not exist` when it was not listed.' } }),
    };
  }
  // The singular path SendGrid's SDK examples call for one spam report (routes/v3Suppression.ts).
  const spam = LISTS.spam_reports as { fields: Record<string, SchemaObject> };
  out['/v3/suppression/spam_report/{email}'] = {
    get: op('v3SuppressionSpamReportOneAlias', 'One spam report (alias of /v3/suppression/spam_reports/{email}, as the SDK examples call it)', [EMAIL], {
      200: { description: 'The entry, or an empty array.', content: { [JSON_TYPE]: { schema: entries(spam.fields) } } },
    }),
    delete: op('v3SuppressionSpamReportOneDeleteAlias', 'Delete one spam report (alias of /v3/suppression/spam_reports/{email})', [EMAIL], {
      204: { description: 'Deleted; 404 `email does not exist` when it was not listed.' },
    }),
  };
  return out;
}
