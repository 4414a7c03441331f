// Provisioning (issue 14, SPEC section 9): v1 distributor.add / distributor.delete and v3
// /v3/subusers. (The distributor.manage methods profile/enable/disable/password share the
// distributor.manage paths; the README lists their parameters.) Limits come from the parsers.
import { MIN_PASSWORD, PROFILE_LIMITS } from '../../domain/customerProfile.js';
import { SUBUSER_LIMITS } from '../../domain/subuserParams.js';
import { type Format, JSON_TYPE, XML_TYPE, legacyErrors, v3Errors } from './responses.js';
import type { OperationObject, PathItemObject, ResponseObject, SchemaObject } from './types.js';

const text = (max: number, description?: string): SchemaObject => ({ type: 'string', maxLength: max, ...(description ? { description } : {}) });

const ADD_FIELDS: Record<string, SchemaObject> = {
  api_user: { type: 'string' },
  api_key: { type: 'string' },
  username: text(64, "The new customer's username (one namespace with resellers; a deleted customer's stays taken)."),
  password: { type: 'string', minLength: MIN_PASSWORD, description: "Becomes the customer's api_key." },
  confirm_password: { type: 'string', description: 'Must equal password.' },
  ...Object.fromEntries(Object.entries(PROFILE_LIMITS).map(([name, max]) => [name, text(max)])),
  free_user: { type: 'string', enum: ['true', 'false'] },
  billing_date: { type: 'string', format: 'date', description: 'From today to the same day next month (UTC).' },
  ip: { type: 'array', items: { type: 'string' }, description: 'Checked, not stored.' },
  ip_group: { type: 'array', items: { type: 'string', maxLength: 255 }, description: 'Checked, not stored.' },
  timezone: { type: 'string', default: 'UTC', description: "mailtally's extension: the IANA time zone the customer's days are counted in." },
};
const ADD_REQUIRED = ['api_user', 'api_key', 'username', 'password', 'confirm_password', 'email', 'first_name', 'last_name', 'address', 'city', 'state', 'zip', 'country', 'phone', 'website'];
const DELETE_FIELDS: Record<string, SchemaObject> = { api_user: { type: 'string' }, api_key: { type: 'string' }, user: { type: 'string' } };

function success(format: Format): ResponseObject {
  return format === 'json'
    ? { description: 'Done.', content: { [JSON_TYPE]: { schema: { type: 'object', properties: { message: { type: 'string', enum: ['success'] } } }, example: { message: 'success' } } } }
    : { description: 'Done.', content: { [XML_TYPE]: { schema: { type: 'string' }, example: '<?xml version="1.0" encoding="UTF-8"?><result><message>success</message></result>' } } };
}

function legacyOperation(call: 'add' | 'delete', format: Format, method: 'get' | 'post'): OperationObject {
  const properties = call === 'add' ? ADD_FIELDS : DELETE_FIELDS;
  const required = call === 'add' ? ADD_REQUIRED : Object.keys(DELETE_FIELDS);
  const op: OperationObject = {
    operationId: `distributor${call === 'add' ? 'Add' : 'Delete'}${format === 'json' ? 'Json' : 'Xml'}${method === 'get' ? 'Get' : 'Post'}`,
    summary: call === 'add' ? `Create a customer (${format.toUpperCase()})` : `Delete a customer (${format.toUpperCase()})`,
    description:
      call === 'add'
        ? 'Creates a customer of the calling reseller; every problem is listed in one 400 answer; a held username is `error in username: is already taken`.'
        : "Deletes the reseller's customer: its credentials stop, it leaves every list, its username stays reserved and its statistics stay until `customer purge`. Unknown, deleted and other resellers' customers answer `error in user: user not found` alike.",
    tags: ['v1'],
    security: [{ apiUser: [], apiKey: [] }],
    responses: { 200: success(format), ...legacyErrors(format, method === 'get' ? [400, 401, 405, 429, 503] : [400, 401, 405, 413, 415, 429, 503], 'GET, POST') },
  };
  if (method === 'get') op.parameters = Object.entries(properties).map(([name, schema]) => ({ name, in: 'query' as const, required: required.includes(name), schema }));
  else {
    const schema: SchemaObject = { type: 'object', properties, required };
    op.requestBody = { required: true, content: { 'application/x-www-form-urlencoded': { schema }, 'multipart/form-data': { schema } } };
  }
  return op;
}

const SUBUSER: SchemaObject = {
  type: 'object',
  properties: { disabled: { type: 'boolean' }, email: { type: 'string' }, id: { type: 'integer' }, username: { type: 'string' } },
  required: ['disabled', 'email', 'id', 'username'],
};
const noContent: ResponseObject = { description: 'Done; no body.' };
const NAME = { name: 'subuser_name', in: 'path' as const, required: true, schema: { type: 'string' as const } };
const v3Op = (op: Omit<OperationObject, 'tags' | 'security'>): OperationObject => ({ ...op, tags: ['v3'], security: [{ bearerAuth: [] }] });

export function provisioningPaths(): Record<string, PathItemObject> {
  const out: Record<string, PathItemObject> = {};
  for (const call of ['add', 'delete'] as const) {
    for (const format of ['json', 'xml'] as const) out[`/api/distributor.${call}.${format}`] = { get: legacyOperation(call, format, 'get'), post: legacyOperation(call, format, 'post') };
  }
  out['/v3/subusers'] = {
    get: v3Op({
      operationId: 'v3SubusersList',
      summary: "List the reseller's subusers (customers)",
      description: 'In binary username order; deleted customers are not listed. A customer key is 403.',
      parameters: [
        { name: 'username', in: 'query', description: 'Exact username.', schema: { type: 'string' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: SUBUSER_LIMITS.max, default: SUBUSER_LIMITS.default } },
        { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 100_000_000, default: 0 } },
      ],
      responses: { 200: { description: 'One page.', content: { [JSON_TYPE]: { schema: { type: 'array', items: SUBUSER } } } }, ...v3Errors([400, 401, 403, 429, 503]) },
    }),
    post: v3Op({
      operationId: 'v3SubusersCreate',
      summary: 'Create a subuser (customer)',
      description: "`password` becomes the subuser's api_key; `ips` is checked and not stored; `timezone` is mailtally's extension. A held username is 400 `username exists`.",
      requestBody: {
        required: true,
        content: {
          [JSON_TYPE]: {
            schema: {
              type: 'object',
              properties: {
                username: text(64),
                email: { type: 'string', format: 'email', maxLength: 64 },
                password: { type: 'string', minLength: MIN_PASSWORD },
                ips: { type: 'array', items: { type: 'string' } },
                timezone: { type: 'string', default: 'UTC' },
              },
              required: ['username', 'email', 'password'],
            },
          },
        },
      },
      responses: {
        200: {
          description: 'Created.',
          content: {
            [JSON_TYPE]: {
              schema: { type: 'object', properties: { username: { type: 'string' }, user_id: { type: 'integer' }, email: { type: 'string' }, credit_allocation: { type: 'object', properties: { type: { type: 'string' } } } } },
            },
          },
        },
        ...v3Errors([400, 401, 403, 413, 415, 429, 503]),
      },
    }),
  };
  out['/v3/subusers/{subuser_name}'] = {
    patch: v3Op({
      operationId: 'v3SubuserPatch',
      summary: 'Disable or enable a subuser',
      parameters: [NAME],
      requestBody: { required: true, content: { [JSON_TYPE]: { schema: { type: 'object', properties: { disabled: { type: 'boolean' } }, required: ['disabled'] } } } },
      responses: { 204: noContent, ...v3Errors([400, 401, 403, 404, 429, 503]) },
    }),
    delete: v3Op({
      operationId: 'v3SubuserDelete',
      summary: 'Delete a subuser',
      description: 'As distributor.delete: credentials stop, the username stays reserved, statistics stay until `customer purge`.',
      parameters: [NAME],
      responses: { 204: noContent, ...v3Errors([401, 403, 404, 429, 503]) },
    }),
  };
  return out;
}
