// The stats.get answers: the same four shapes and XML trees as v1 (statsResponses.ts), each row
// `date` (daily), `date, category` (category rows), `category` (all-time per category) or
// nothing (aggregate), followed by the 15 metrics of domain/statsGetFields.ts.
import { formatDay } from '../domain/calendar.js';
import type { MetricRow } from '../domain/metrics.js';
import { STATS_GET_FIELDS } from '../domain/statsGetFields.js';
import type { StatsAnswer } from '../services/stats.js';
import { type RenderedAnswer, type RowShapes, renderWith } from './statsResponses.js';

type Row = Record<string, string | number>;

function metrics(row: MetricRow, into: Row): Row {
  for (const [name, metric] of STATS_GET_FIELDS) into[name] = row[metric];
  return into;
}

export const STATS_GET_SHAPES: RowShapes = {
  daily: ({ day, row }) => metrics(row, { date: formatDay(day) }),
  category: ({ day, category, row }) => metrics(row, { date: formatDay(day), category }),
  aggregate: (row) => metrics(row, {}),
  categoryAggregate: ({ category, row }) => metrics(row, { category }),
};

export const renderStatsGetAnswer = (answer: StatsAnswer): RenderedAnswer => renderWith(STATS_GET_SHAPES, answer);
