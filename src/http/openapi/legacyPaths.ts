// v1 (/api/distributor.manage.*) and v2 (/apiv2/reseller.manage.*), each with its
// …manageSubuser.* alias, in JSON and XML, by GET (query string) or POST (form body). One
// builder for all sixteen operations: they share every parameter, rule and error.
import { MAX_CATEGORIES } from '../../domain/statsQuery.js';
import { MAX_RANGE_DAYS } from '../../domain/ranges.js';
import { type Format, JSON_TYPE, XML_TYPE, legacyErrors } from './responses.js';
import { DATE_PATTERN } from './schemas.js';
import type { MediaTypeObject, OperationObject, ParameterObject, PathItemObject, SchemaObject } from './types.js';
import { ref } from './types.js';

const date = (what: string): SchemaObject => ({ type: 'string', format: 'date', pattern: DATE_PATTERN, description: what });

/** The stats call's parameters, as schemas; shared by the query parameters and the form body. */
const FIELDS: Record<string, { required?: boolean; description: string; schema: SchemaObject }> = {
  method: {
    required: true,
    description:
      '`stats` for the statistics described here. The same endpoints also serve a customer\'s suppression lists (`bounces`, `blocks`, `spamreports`, `invalidemails`, `unsubscribes`, with `task=get|delete`, `unsubscribes` also `task=add`; v1 and v2) and, in v1 only, provisioning (`profile`, `enable`, `disable`, `password`), each with its own parameters and answers (README: Suppression lists, Provisioning). Any other value answers 404 `error in method: unknown method`.',
    schema: { type: 'string', enum: ['stats', 'bounces', 'blocks', 'spamreports', 'invalidemails', 'unsubscribes', 'profile', 'enable', 'disable', 'password'] },
  },
  user: { required: true, description: "The customer's username; unknown and another reseller's customers both answer 400 `error in user: user not found`.", schema: { type: 'string', minLength: 1 } },
  days: {
    description: `The last N days including today, in the customer's time zone. Plain ASCII decimal digits (leading zeros allowed), 1–${MAX_RANGE_DAYS}. Not with start_date/end_date.`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_RANGE_DAYS },
  },
  start_date: { description: `First day (YYYY-MM-DD, a real calendar date). At most ${MAX_RANGE_DAYS} days up to end_date.`, schema: date('YYYY-MM-DD') },
  end_date: { description: 'Last day (YYYY-MM-DD), default today; needs start_date; not after today; not before start_date.', schema: date('YYYY-MM-DD') },
  aggregate: {
    description: 'All-time totals: `1` or `true`. `0`/`false` mean "not an aggregate call". Not with dates or `list`; with `category`, one all-time row per requested category the customer has, in request order.',
    schema: { type: 'string', enum: ['1', 'true', '0', 'false'] },
  },
  list: { description: 'The customer’s category names (binary order): `true` or `1`. Not with dates, `aggregate` or `category`.', schema: { type: 'string', enum: ['true', '1'] } },
  category: {
    description: `Category statistics for these names (exact, case-sensitive; repeat the parameter or write \`category[]\`), at most ${MAX_CATEGORIES}. Names the customer never had yield no rows. Takes the same date parameters as daily statistics.`,
    schema: { type: 'array', items: { type: 'string' }, maxItems: MAX_CATEGORIES },
  },
};

const paramName = (name: string): string => `legacy_${name}`;

export const LEGACY_PARAMETERS: Record<string, ParameterObject> = Object.fromEntries(
  Object.entries(FIELDS).map(([name, f]) => [
    paramName(name),
    { name, in: 'query', ...(f.required ? { required: true } : {}), description: f.description, schema: f.schema, ...(name === 'category' ? { style: 'form', explode: true } : {}) },
  ]),
);

const formBody: SchemaObject = {
  type: 'object',
  required: ['method', 'user'],
  properties: {
    api_user: { type: 'string', description: 'May be sent here instead of the query string.' },
    api_key: { type: 'string', description: 'May be sent here instead of the query string.' },
    ...Object.fromEntries(Object.entries(FIELDS).map(([name, f]) => [name, { ...f.schema, description: f.description }])),
  },
};

const RULES = `Exactly one shape per call: daily (\`days\`, or \`start_date\` [+ \`end_date\`], or neither for today), \`aggregate=1\`, \`list=true\`, \`category\` (+ dates), or \`aggregate=1\` + \`category\`. Parameters may come from the query string, an \`application/x-www-form-urlencoded\` or \`multipart/form-data\` body (fields only, no files), or both; the same value twice is accepted, two different values are \`error in <param>: must be given only once\`. Checks run in this order: credentials (401) → method (400/404) → user (400) → the call's parameters (400, every problem listed).`;

interface Generation {
  tag: 'v1' | 'v2';
  prefix: string;
  name: string;
  alias: string;
  answer: 'V1Answer' | 'V2Answer';
  rows: string;
}

const GENERATIONS: Generation[] = [
  { tag: 'v1', prefix: '/api', name: 'distributor.manage', alias: 'distributor.manageSubuser', answer: 'V1Answer', rows: '`requests, bounces, clicks, opens, spamreports`' },
  { tag: 'v2', prefix: '/apiv2', name: 'reseller.manage', alias: 'reseller.manageSubuser', answer: 'V2Answer', rows: 'v1’s parameters and rules with the extended v2 rows' },
];

const V1_XML_EXAMPLE = '<?xml version="1.0" encoding="UTF-8"?><stats><day><date>2024-03-10</date><requests>2</requests><bounces>0</bounces><clicks>1</clicks><opens>1</opens><spamreports>0</spamreports></day></stats>';

function operation(g: Generation, format: Format, method: 'get' | 'post', isAlias: boolean): OperationObject {
  const success: Record<string, MediaTypeObject> =
    format === 'json'
      ? { [JSON_TYPE]: { schema: ref('schemas', g.answer) } }
      : { [XML_TYPE]: { schema: { type: 'string' as const, description: `${g.answer} as XML: <stats><day>…</day></stats>, <stats>…</stats> (aggregate), <stats><category_stats>…</category_stats></stats> (aggregate with category) or <categories><category>…</category></categories>.` }, ...(g.tag === 'v1' ? { example: V1_XML_EXAMPLE } : {}) } };
  const op: OperationObject = {
    operationId: `${g.tag}${isAlias ? 'Subuser' : ''}Stats${format === 'json' ? 'Json' : 'Xml'}${method === 'get' ? 'Get' : 'Post'}`,
    summary: `${g.tag} customer statistics (${format.toUpperCase()}, ${method.toUpperCase()})${isAlias ? ` — alias of ${g.prefix}/${g.name}.${format}` : ''}`,
    description: `${g.rows}. ${RULES}`,
    tags: [g.tag],
    security: [{ apiUser: [], apiKey: [] }],
    responses: {
      200: { description: 'The statistics.', content: success },
      ...legacyErrors(format, method === 'get' ? [400, 401, 404, 405, 429, 503] : [400, 401, 404, 405, 413, 415, 429, 503], 'GET, POST'),
    },
  };
  if (method === 'get') op.parameters = Object.keys(FIELDS).map((name) => ref('parameters', paramName(name)));
  else {
    op.requestBody = {
      required: true,
      description: 'The parameters as a form; any of them may be in the query string instead.',
      content: {
        'application/x-www-form-urlencoded': { schema: formBody, encoding: { category: { style: 'form', explode: true } } },
        'multipart/form-data': { schema: formBody },
      },
    };
  }
  return op;
}

export function legacyPaths(): Record<string, PathItemObject> {
  const paths: Record<string, PathItemObject> = {};
  for (const g of GENERATIONS) {
    for (const isAlias of [false, true]) {
      for (const format of ['json', 'xml'] as const) {
        const path = `${g.prefix}/${isAlias ? g.alias : g.name}.${format}`;
        paths[path] = { get: operation(g, format, 'get', isAlias), post: operation(g, format, 'post', isAlias) };
      }
    }
  }
  return paths;
}
