// Component schemas: the bodies every endpoint answers with. Row schemas are built from the
// same field lists the renderers use (domain/metrics, v2Fields, v3Metrics), so the document
// cannot drift from what the server sends.
import { STATS_GET_FIELDS } from '../../domain/statsGetFields.js';
import { V1_METRICS } from '../../domain/metrics.js';
import { V2_CATEGORY_FIELDS, V2_DAILY_FIELDS } from '../../domain/v2Fields.js';
import { V3_METRICS } from '../../domain/v3Metrics.js';
import { MAX_REJECTED_LISTED } from '../../services/ingest.js';
import { type SchemaObject, type SchemaOrRef, ref } from './types.js';

export const DATE_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';

const count: SchemaObject = { type: 'integer', minimum: 0 };

/** The object schema with one more, optional, field. */
function withOptional(schema: SchemaObject, name: string, field: SchemaObject): SchemaObject {
  return { ...schema, properties: { ...schema.properties, [name]: field } };
}
const day: SchemaObject = { type: 'string', format: 'date', pattern: DATE_PATTERN, example: '2024-03-10' };
const text: SchemaObject = { type: 'string' };

/** An object with exactly these fields, all required, in this order. */
function row(fields: ReadonlyArray<[string, SchemaOrRef]>, description?: string): SchemaObject {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties: Object.fromEntries(fields),
    required: fields.map(([name]) => name),
    additionalProperties: false,
  };
}

const counts = (names: readonly string[]): Array<[string, SchemaObject]> => names.map((n) => [n, count]);

const v2Category = V2_CATEGORY_FIELDS.map((f): [string, SchemaObject] => (f === 'category' ? [f, text] : f === 'date' ? [f, day] : [f[0], count]));

const arrayOf = (name: string): SchemaObject => ({ type: 'array', items: ref('schemas', name) });

export const SCHEMAS: Record<string, SchemaObject> = {
  V1DailyRow: row([['date', day], ...counts(V1_METRICS)], 'One day; every day of the range appears once, ascending, zero-filled.'),
  V1CategoryRow: row([['date', day], ['category', text], ...counts(V1_METRICS)], 'One requested category on one day.'),
  V1Aggregate: row(counts(V1_METRICS), 'All-time totals.'),
  V1CategoryAggregate: row([['category', text], ...counts(V1_METRICS)], 'All-time totals of one requested category (aggregate=1 with category).'),
  CategoryListEntry: row([['category', text]]),
  V1Answer: {
    description: 'Daily rows (days/start_date/none), the aggregate (aggregate=1), the category list (list=true), category rows (category=…) or all-time category rows (aggregate=1&category=…).',
    anyOf: [arrayOf('V1DailyRow'), ref('schemas', 'V1Aggregate'), arrayOf('CategoryListEntry'), arrayOf('V1CategoryRow'), arrayOf('V1CategoryAggregate')],
  },
  V2DailyRow: row([['date', day], ...counts(V2_DAILY_FIELDS.map(([name]) => name))], "v2 day row: `blocks` is the stored bounces of type 'blocked'."),
  V2CategoryRow: row(v2Category, 'v2 category row, in the field order SendGrid documents (`blocked` = stored `blocks`; `spam_drop` on category rows only).'),
  V2Aggregate: row(counts(V2_DAILY_FIELDS.map(([name]) => name)), 'All-time totals, the day row without `date`.'),
  V2CategoryAggregate: row(
    v2Category.filter(([name]) => name !== 'date'),
    'All-time totals of one requested category (aggregate=1 with category): the v2 category row without `date`.',
  ),
  V2Answer: {
    description: 'As v1, with the extended rows.',
    anyOf: [arrayOf('V2DailyRow'), ref('schemas', 'V2Aggregate'), arrayOf('CategoryListEntry'), arrayOf('V2CategoryRow'), arrayOf('V2CategoryAggregate')],
  },
  StatsGetDailyRow: row([['date', day], ...counts(STATS_GET_FIELDS.map(([name]) => name))], 'stats.get day row: 15 metrics in the order of a real stats.get answer (`blocked` = stored `blocks`).'),
  StatsGetCategoryRow: row([['date', day], ['category', text], ...counts(STATS_GET_FIELDS.map(([name]) => name))], 'One requested category on one day.'),
  StatsGetAggregate: row(counts(STATS_GET_FIELDS.map(([name]) => name)), 'All-time totals.'),
  StatsGetCategoryAggregate: row([['category', text], ...counts(STATS_GET_FIELDS.map(([name]) => name))], 'All-time totals of one requested category.'),
  StatsGetAnswer: {
    description: 'The v1 shapes with the stats.get rows.',
    anyOf: [arrayOf('StatsGetDailyRow'), ref('schemas', 'StatsGetAggregate'), arrayOf('CategoryListEntry'), arrayOf('StatsGetCategoryRow'), arrayOf('StatsGetCategoryAggregate')],
  },
  LegacyError: row(
    [
      ['message', { type: 'string', enum: ['error'] }],
      ['errors', { type: 'array', minItems: 1, items: text, example: ['error in start_date: must be a date in YYYY-MM-DD format'] }],
    ],
    'The legacy error envelope; every problem with the request is listed. In XML: <result><message>error</message><errors><error>…</error></errors></result>.',
  ),
  V3Metrics: row(counts(V3_METRICS), 'bounce_drops = repeat bounces, invalid_emails = drops for invalid addresses, spam_report_drops = repeat spam reports, unsubscribe_drops = repeat unsubscribes.'),
  V3TotalStat: row([['metrics', ref('schemas', 'V3Metrics')]]),
  V3NamedStat: row([
    ['type', { type: 'string', enum: ['subuser', 'category', 'provider'] }],
    ['name', text],
    ['metrics', ref('schemas', 'V3Metrics')],
  ]),
  V3TotalsPoint: row([
    ['date', day],
    ['stats', { type: 'array', minItems: 1, maxItems: 1, items: ref('schemas', 'V3TotalStat') }],
  ], "One bucket of /v3/stats, dated by its first day inside the range."),
  V3NamedPoint: row([
    ['date', day],
    ['stats', arrayOf('V3NamedStat')],
  ], 'One bucket (or, for the sums, the whole range dated start_date): one entry per subuser or category.'),
  V3Error: row([
    [
      'errors',
      {
        type: 'array',
        minItems: 1,
        items: row([
          ['field', { type: 'string', nullable: true, description: 'The parameter or header at fault; null when the request as a whole is.' }],
          ['message', text],
        ]),
      },
    ],
  ], "SendGrid's v3 error envelope."),
  WebhookEvent: {
    type: 'object',
    description: 'One SendGrid Event Webhook event. Unknown fields (custom args) are ignored; `null` counts as absent.',
    required: ['event', 'timestamp'],
    properties: {
      event: {
        type: 'string',
        enum: ['processed', 'dropped', 'delivered', 'deferred', 'bounce', 'open', 'click', 'spamreport', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe', 'account_status_change'],
      },
      timestamp: { type: 'integer', minimum: 0, description: 'Unix seconds; above 10^11 taken as milliseconds; a JSON integer, not a string.' },
      email: text,
      sg_message_id: text,
      'smtp-id': text,
      sg_event_id: text,
      category: {
        description: 'A category, or up to 10 of them.',
        anyOf: [
          { type: 'string', maxLength: 255 },
          { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 255 } },
        ],
      },
      url: { description: 'click events: a string. On other types a custom argument of any JSON type, ignored.' },
      type: { description: 'bounce events: bounce, blocked or expired; account_status_change: e.g. compliance_suspend (strings). On other types a custom argument, ignored.' },
      reason: { description: "bounce and dropped events: a string, e.g. 'Bounced Address'. On other types a custom argument, ignored." },
      sg_machine_open: { type: 'boolean', description: 'open events: true for a machine open (Apple Mail Privacy Protection)' },
    },
    additionalProperties: true,
  },
  IngestResult: withOptional(
    row([
      ['accepted', count],
      ['duplicates', count],
      [
        'rejected',
        {
          type: 'array',
          maxItems: MAX_REJECTED_LISTED,
          description: `Events refused by validation (kept in quarantine); the rest of the batch was applied. At most the first ${MAX_REJECTED_LISTED}, by index.`,
          items: row([
            ['index', { type: 'integer', minimum: 0, description: 'Position in the batch (NDJSON: among non-blank lines).' }],
            ['error', text],
          ]),
        },
      ],
    ], 'Sent only after the batch is committed.'),
    'rejected_count',
    { ...count, description: `Only when more than ${MAX_REJECTED_LISTED} events were rejected: how many in all.` },
  ),
  Health: row([['status', { type: 'string', enum: ['ok'] }]]),
  Ready: row([['status', { type: 'string', enum: ['ready'] }]]),
};
