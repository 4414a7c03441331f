// The v2 stats answers as renderings: the same four shapes and XML trees as v1
// (statsResponses.ts), with v2's extended fields in v2's orders (domain/v2Fields.ts).
import { formatDay } from '../domain/calendar.js';
import type { MetricRow } from '../domain/metrics.js';
import { V2_CATEGORY_FIELDS, V2_DAILY_FIELDS } from '../domain/v2Fields.js';
import type { StatsAnswer } from '../services/stats.js';
import type { Rendering } from './render.js';

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

export function renderV2Answer(answer: StatsAnswer): Rendering {
  switch (answer.kind) {
    case 'daily': {
      const rows = answer.days.map(({ day, row }) => dailyRow(row, { date: formatDay(day) }));
      return { json: rows, xml: { stats: { day: rows } } };
    }
    case 'category': {
      const rows = answer.rows.map(({ day, category, row }) => categoryRow(day, category, row));
      return { json: rows, xml: { stats: { day: rows } } };
    }
    case 'aggregate': {
      const row = dailyRow(answer.row, {});
      return { json: row, xml: { stats: row } };
    }
    case 'categoryAggregate': {
      // v2's category row (`blocked`, `spam_drop`, category first), all time, so without `date`.
      const rows = answer.rows.map(({ category, row }) => categoryRow(undefined, category, row));
      return { json: rows, xml: { stats: { category_stats: rows } } };
    }
    case 'list':
      return { json: answer.categories.map((category) => ({ category })), xml: { categories: { category: answer.categories } } };
  }
}
