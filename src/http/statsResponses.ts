// The four legacy stats answers (SPEC section 3): field order is part of the contract. Lists of
// rows are rendered slice by slice (render.ts `Listing`); the aggregate is one small object.
import { formatDay } from '../domain/calendar.js';
import { type MetricRow, V1_METRICS } from '../domain/metrics.js';
import type { CategoryRow, DayRow, StatsAnswer } from '../services/stats.js';
import type { Listing, Rendering } from './render.js';

type Row = Record<string, string | number>;

/** How one API generation shows each kind of row. */
export interface RowShapes {
  /** Optional: a row's JSON text straight from the row, exactly JSON.stringify(daily(r)) (resp. category(r)). */
  dailyJson?(r: DayRow): string;
  categoryJson?(r: CategoryRow): string;
  daily(r: DayRow): Row;
  category(r: CategoryRow): Row;
  aggregate(row: MetricRow): Row;
  /** aggregate=1 with categories (issue 11): `category` first, then the metrics, no date. */
  categoryAggregate(r: { category: string; row: MetricRow }): Row;
}

/** An answer ready to serialize: one rendering, or a listing streamed in slices. */
export type RenderedAnswer = { whole: Rendering } | { listing: Listing<unknown> };

function rows<T>(slices: AsyncIterable<readonly T[]>, shape: (r: T) => Row, jsonText?: (r: T) => string): Listing<unknown> {
  const listing: Listing<T> = { root: 'stats', item: 'day', slices, json: shape, xml: shape, ...(jsonText ? { jsonText } : {}) };
  return listing as Listing<unknown>;
}

export function renderWith(shapes: RowShapes, answer: StatsAnswer): RenderedAnswer {
  switch (answer.kind) {
    case 'daily':
      return { listing: rows(answer.slices, shapes.daily, shapes.dailyJson) };
    case 'category':
      return { listing: rows(answer.slices, shapes.category, shapes.categoryJson) };
    case 'aggregate': {
      const row = shapes.aggregate(answer.row);
      return { whole: { json: row, xml: { stats: row } } };
    }
    case 'categoryAggregate': {
      // At most 100 rows (one per requested category): rendered whole, under <stats><category_stats>.
      const out = answer.rows.map(shapes.categoryAggregate);
      return { whole: { json: out, xml: { stats: { category_stats: out } } } };
    }
    case 'list': {
      const listing: Listing<string> = { root: 'categories', item: 'category', slices: answer.slices, json: (category) => ({ category }), xml: (c) => c };
      return { listing: listing as Listing<unknown> };
    }
  }
}

function pick(row: MetricRow, into: Row): Row {
  for (const m of V1_METRICS) into[m] = row[m];
  return into;
}

// The v1 rows' JSON written directly: building each row's object and handing it to
// JSON.stringify was most of a listing's cost. Field order as in V1_METRICS and pick(); a
// finite number's JSON is its String(); a date is digits and dashes; the category is escaped by
// JSON.stringify. Anything else (a non-finite count, never stored) takes the general path.
function v1MetricsJson(row: MetricRow): string | undefined {
  const { requests, bounces, clicks, opens, spamreports } = row;
  if (!(Number.isFinite(requests) && Number.isFinite(bounces) && Number.isFinite(clicks) && Number.isFinite(opens) && Number.isFinite(spamreports))) return undefined;
  return `"requests":${requests},"bounces":${bounces},"clicks":${clicks},"opens":${opens},"spamreports":${spamreports}}`;
}

export const V1_SHAPES: RowShapes = {
  daily: ({ day, row }) => pick(row, { date: formatDay(day) }),
  category: ({ day, category, row }) => pick(row, { date: formatDay(day), category }),
  dailyJson: (r) => {
    const metrics = v1MetricsJson(r.row);
    return metrics === undefined ? JSON.stringify(V1_SHAPES.daily(r)) : `{"date":${JSON.stringify(formatDay(r.day))},${metrics}`;
  },
  categoryJson: (r) => {
    const metrics = v1MetricsJson(r.row);
    return metrics === undefined ? JSON.stringify(V1_SHAPES.category(r)) : `{"date":${JSON.stringify(formatDay(r.day))},"category":${JSON.stringify(r.category)},${metrics}`;
  },
  aggregate: (row) => pick(row, {}),
  categoryAggregate: ({ category, row }) => pick(row, { category }),
};

export const renderAnswer = (answer: StatsAnswer): RenderedAnswer => renderWith(V1_SHAPES, answer);
