// The legacy stats answers as renderings (SPEC section 3): field order is part of the contract.
import { formatDay } from '../domain/calendar.js';
import { type MetricRow, V1_METRICS } from '../domain/metrics.js';
import type { StatsAnswer } from '../services/stats.js';
import type { Rendering } from './render.js';

type Row = Record<string, string | number>;

function pick(row: MetricRow, into: Row): Row {
  for (const m of V1_METRICS) into[m] = row[m];
  return into;
}

function dailyRendering(days: Array<{ day: number; row: MetricRow }>): Rendering {
  const rows = days.map(({ day, row }) => pick(row, { date: formatDay(day) }));
  return { json: rows, xml: { stats: { day: rows } } };
}

function categoryRendering(rows: Array<{ day: number; category: string; row: MetricRow }>): Rendering {
  const out = rows.map(({ day, category, row }) => pick(row, { date: formatDay(day), category }));
  return { json: out, xml: { stats: { day: out } } };
}

function aggregateRendering(row: MetricRow): Rendering {
  const out = pick(row, {});
  return { json: out, xml: { stats: out } };
}

/** aggregate=1 with categories: `category` first, then the metrics; XML rows `<category_stats>`. */
function categoryAggregateRendering(rows: Array<{ category: string; row: MetricRow }>): Rendering {
  const out = rows.map(({ category, row }) => pick(row, { category }));
  return { json: out, xml: { stats: { category_stats: out } } };
}

function listRendering(categories: string[]): Rendering {
  return { json: categories.map((category) => ({ category })), xml: { categories: { category: categories } } };
}

export function renderAnswer(answer: StatsAnswer): Rendering {
  switch (answer.kind) {
    case 'daily':
      return dailyRendering(answer.days);
    case 'category':
      return categoryRendering(answer.rows);
    case 'aggregate':
      return aggregateRendering(answer.row);
    case 'categoryAggregate':
      return categoryAggregateRendering(answer.rows);
    case 'list':
      return listRendering(answer.categories);
  }
}
