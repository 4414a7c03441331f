// The v2 stats answers: the same four shapes and XML trees as v1 (statsResponses.ts), with v2's
// extended fields in v2's orders (domain/v2Fields.ts).
import { formatDay } from '../domain/calendar.js';
import type { MetricRow } from '../domain/metrics.js';
import { V2_CATEGORY_FIELDS, V2_DAILY_FIELDS } from '../domain/v2Fields.js';
import type { StatsAnswer } from '../services/stats.js';
import { type RenderedAnswer, type RowShapes, renderWith } from './statsResponses.js';

type Row = Record<string, string | number>;

function dailyRow(row: MetricRow, into: Row): Row {
  for (const [name, metric] of V2_DAILY_FIELDS) into[name] = row[metric];
  return into;
}

/** A category row; without `day` (all-time totals) it has no `date` field. */
function categoryRow(day: number | undefined, category: string, row: MetricRow): Row {
  const out: Row = {};
  for (const field of V2_CATEGORY_FIELDS) {
    if (field === 'category') out.category = category;
    else if (field === 'date') {
      if (day !== undefined) out.date = formatDay(day);
    }
    else out[field[0]] = row[field[1]];
  }
  return out;
}

export const V2_SHAPES: RowShapes = {
  daily: ({ day, row }) => dailyRow(row, { date: formatDay(day) }),
  category: ({ day, category, row }) => categoryRow(day, category, row),
  aggregate: (row) => dailyRow(row, {}),
  // v2's category row (`blocked`, `spam_drop`, category first), all time, so without `date`.
  categoryAggregate: ({ category, row }) => categoryRow(undefined, category, row),
};

export const renderV2Answer = (answer: StatsAnswer): RenderedAnswer => renderWith(V2_SHAPES, answer);
