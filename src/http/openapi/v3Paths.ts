// v3: SendGrid's statistics API for a reseller's customers ("subusers"), JSON only, Bearer
// key, GET with query parameters. Limits come from the parser (domain/v3Query.ts).
import { AGGREGATIONS } from '../../domain/buckets.js';
import { MAX_RANGE_DAYS } from '../../domain/ranges.js';
import { DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, MAX_V3_NAMES } from '../../domain/v3Query.js';
import { V3_METRICS } from '../../domain/v3Metrics.js';
import { JSON_TYPE, v3Errors } from './responses.js';
import { DATE_PATTERN } from './schemas.js';
import type { OperationObject, ParameterObject, PathItemObject, Reference, SchemaObject, SchemaOrRef } from './types.js';
import { ref } from './types.js';

const nameList = (name: 'subusers' | 'categories', what: string): ParameterObject => ({
  name,
  in: 'query',
  required: true,
  description: `1–${MAX_V3_NAMES} distinct ${what}, matched exactly: repeat the parameter (or write \`${name}[]\`); never split at commas.`,
  schema: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: MAX_V3_NAMES },
  style: 'form',
  explode: true,
});

export const V3_PARAMETERS: Record<string, ParameterObject> = {
  v3_start_date: {
    name: 'start_date',
    in: 'query',
    required: true,
    description: `First day (YYYY-MM-DD). The range may cover at most ${MAX_RANGE_DAYS} days.`,
    schema: { type: 'string', format: 'date', pattern: DATE_PATTERN },
  },
  v3_end_date: {
    name: 'end_date',
    in: 'query',
    description: "Last day (YYYY-MM-DD); default today in the customer's time zone (the latest such today when several customers are involved); not after it.",
    schema: { type: 'string', format: 'date', pattern: DATE_PATTERN },
  },
  v3_aggregated_by: {
    name: 'aggregated_by',
    in: 'query',
    description: 'Bucket size: weeks start on Monday, months on the 1st; each bucket is dated by its first day inside the range and every bucket appears, zero-filled. Accepted and without effect on the sums.',
    schema: { type: 'string', enum: [...AGGREGATIONS], default: 'day' },
  },
  v3_exclude_machine_opens: {
    name: 'exclude_machine_opens',
    in: 'query',
    description: 'mailtally’s own: `opens` without machine opens (Apple Mail Privacy Protection); `unique_opens` capped at the adjusted `opens`.',
    schema: { type: 'string', enum: ['true', 'false', '1', '0'], default: 'false' },
  },
  v3_on_behalf_of: {
    name: 'on-behalf-of',
    in: 'header',
    description:
      "The customer's username; unknown and another reseller's customers both answer 400 `subuser not found`; with a customer's own key, any on-behalf-of is 403. Required on the category sums; absent on /v3/stats and /v3/categories/stats, the answer is the reseller's own (parent account) view: the sum over all its customers, days in UTC.",
    schema: { type: 'string', minLength: 1 },
  },
  v3_group_by: {
    name: 'group_by',
    in: 'query',
    description:
      "mailtally's own: `provider` splits the customer's series (on-behalf-of required, else 400) by the provider its events came through — one entry per provider that has events in the range, `{\"type\":\"provider\",\"name\":\"mailgun\",\"metrics\":{…}}`, by name; SendGrid's own webhook and plain imports are `sendgrid`. The entries of a date add up to the plain answer.",
    schema: { type: 'string', enum: ['provider'] },
  },
  v3_subusers: nameList('subusers', "customers of the reseller"),
  v3_categories: nameList('categories', 'category names'),
  v3_sort_by_metric: {
    name: 'sort_by_metric',
    in: 'query',
    description: 'Sort key; ties go by name ascending, so pages are stable.',
    schema: { type: 'string', enum: [...V3_METRICS], default: 'delivered' },
  },
  v3_month: { name: 'date', in: 'query', required: true, description: 'Any day of the month (YYYY-MM-DD; SendGrid sends the 1st); the month runs up to today; a later month is 400.', schema: { type: 'string', format: 'date', pattern: DATE_PATTERN } },
  v3_subuser_search: { name: 'subuser', in: 'query', description: 'Only customers whose username contains this (case-sensitive).', schema: { type: 'string' } },
  v3_sort_by_direction: { name: 'sort_by_direction', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'], default: 'desc' } },
  v3_limit: { name: 'limit', in: 'query', description: 'Entries per page.', schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT } },
  v3_offset: { name: 'offset', in: 'query', description: 'Entries to skip.', schema: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 } },
};

const p = (name: string): Reference => ref('parameters', `v3_${name}`);
const SERIES = [p('start_date'), p('end_date'), p('aggregated_by'), p('exclude_machine_opens')];
const SUMS = [...SERIES, p('sort_by_metric'), p('sort_by_direction'), p('limit'), p('offset')];

function op(operationId: string, summary: string, description: string, parameters: Reference[], answer: SchemaOrRef): OperationObject {
  return {
    operationId,
    summary,
    description: `${description} Checks run in this order: the key (401) → the customers named (400) → the other parameters (400, every problem listed).`,
    tags: ['v3'],
    security: [{ bearerAuth: [] }],
    parameters,
    responses: {
      200: { description: 'The statistics.', content: { [JSON_TYPE]: { schema: answer } } },
      ...v3Errors([400, 401, 403, 405, 429, 503]),
    },
  };
}

const series = (point: string): SchemaObject => ({ type: 'array', items: ref('schemas', point) });

export function v3Paths(): Record<string, PathItemObject> {
  return {
    '/v3/stats': {
      get: op('v3Stats', "One customer's totals (on-behalf-of), or without it all the reseller's customers summed, bucketed", 'Each bucket carries one entry with `metrics` only, as on SendGrid.', [p('on_behalf_of'), ...SERIES, p('group_by')], { anyOf: [series('V3TotalsPoint'), series('V3NamedPoint')] }),
    },
    '/v3/subusers/stats': {
      get: op('v3SubuserStats', 'Up to 10 customers, bucketed', 'One entry per customer, in the order requested. `on-behalf-of` is ignored.', [p('subusers'), ...SERIES], series('V3NamedPoint')),
    },
    '/v3/subusers/stats/sums': {
      get: op('v3SubuserSums', 'Every customer of the reseller, totals over the range, sorted and paged', 'One object dated start_date; idle customers appear with zeros. `on-behalf-of` is ignored.', SUMS, ref('schemas', 'V3NamedPoint')),
    },
    '/v3/subusers/stats/monthly': {
      get: op('v3SubuserMonthly', 'Every customer of the reseller, totals over one calendar month, sorted and paged', 'One object dated the 1st of the month; idle customers appear with zeros. A customer key is 403.', [p('month'), p('subuser_search'), p('sort_by_metric'), p('sort_by_direction'), p('limit'), p('offset')], ref('schemas', 'V3NamedPoint')),
    },
    '/v3/categories/stats': {
      get: op('v3CategoryStats', "Up to 10 of one customer's categories (on-behalf-of), or without it summed over all the reseller's customers, bucketed", 'Categories never had (by that customer, or by any of the reseller\'s) are left out.', [p('on_behalf_of'), p('categories'), ...SERIES], series('V3NamedPoint')),
    },
    '/v3/categories/stats/sums': {
      get: op('v3CategorySums', "Every category of one customer, totals over the range, sorted and paged", 'One object dated start_date; idle categories appear with zeros.', [p('on_behalf_of'), ...SUMS], ref('schemas', 'V3NamedPoint')),
    },
  };
}
