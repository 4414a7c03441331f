// /api/stats.get.{json,xml} (issue 13): v1's parameters without `method` and `user`, by GET or
// POST, with a customer's own credentials or its reseller's.
import { type Format, JSON_TYPE, XML_TYPE, legacyErrors } from './responses.js';
import { LEGACY_PARAMETERS } from './legacyPaths.js';
import type { OperationObject, PathItemObject, SchemaObject } from './types.js';
import { ref } from './types.js';

const NAMES = ['days', 'start_date', 'end_date', 'aggregate', 'list', 'category'];

const DESCRIPTION =
  "The legacy Web API statistics call. `api_user`/`api_key` are a customer's own (`customer set-key`): its own statistics, days in its time zone; or a reseller's: the sum over all its customers, days in UTC. A `user` parameter is ignored. Shapes, date rules and errors as distributor.manage; rows are `date` (daily), `date, category` (category rows), `category` (aggregate with category) or nothing (aggregate), then the 15 metrics of a real stats.get answer. A disabled customer's credentials are 401.";

function operation(format: Format, method: 'get' | 'post'): OperationObject {
  const op: OperationObject = {
    operationId: `statsGet${format === 'json' ? 'Json' : 'Xml'}${method === 'get' ? 'Get' : 'Post'}`,
    summary: `Web API stats.get (${format.toUpperCase()}, ${method.toUpperCase()})`,
    description: DESCRIPTION,
    tags: ['v1'],
    security: [{ apiUser: [], apiKey: [] }],
    responses: {
      200: {
        description: 'The statistics.',
        content: format === 'json' ? { [JSON_TYPE]: { schema: ref('schemas', 'StatsGetAnswer') } } : { [XML_TYPE]: { schema: { type: 'string', description: 'StatsGetAnswer as XML, in the trees of distributor.manage.xml.' } } },
      },
      ...legacyErrors(format, method === 'get' ? [400, 401, 405, 429, 503] : [400, 401, 405, 413, 415, 429, 503], 'GET, POST'),
    },
  };
  if (method === 'get') op.parameters = NAMES.map((name) => ref('parameters', `legacy_${name}`));
  else {
    const properties: Record<string, SchemaObject> = { api_user: { type: 'string' }, api_key: { type: 'string' } };
    for (const name of NAMES) {
      const p = LEGACY_PARAMETERS[`legacy_${name}`];
      if (p?.schema) properties[name] = p.schema as SchemaObject;
    }
    const schema: SchemaObject = { type: 'object', properties };
    op.requestBody = { required: true, content: { 'application/x-www-form-urlencoded': { schema }, 'multipart/form-data': { schema } } };
  }
  return op;
}

export function statsGetPaths(): Record<string, PathItemObject> {
  return Object.fromEntries((['json', 'xml'] as const).map((format) => [`/api/stats.get.${format}`, { get: operation(format, 'get'), post: operation(format, 'post') }]));
}
