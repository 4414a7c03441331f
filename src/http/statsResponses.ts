// The four legacy stats answers (SPEC section 3): field order is part of the contract. Lists of
// rows are rendered slice by slice (render.ts `Listing`); the aggregate is one small object.
import { formatDay } from '../domain/calendar.js';
import { type MetricRow, V1_METRICS } from '../domain/metrics.js';
import type { CategoryRow, DayRow, StatsAnswer } from '../services/stats.js';
import type { Listing, Rendering } from './render.js';

type Row = Record<string, string | number>;

/** How one API generation shows each kind of row. */
export interface RowShapes {
  daily(r: DayRow): Row;
  category(r: CategoryRow): Row;
  aggregate(row: MetricRow): Row;
  /** aggregate=1 with categories (issue 11): `category` first, then the metrics, no date. */
  categoryAggregate(r: { category: string; row: MetricRow }): Row;
}

/** An answer ready to serialize: one rendering, or a listing streamed in slices. */
export type RenderedAnswer = { whole: Rendering } | { listing: Listing<unknown> };

function rows<T>(slices: AsyncIterable<readonly T[]>, shape: (r: T) => Row): Listing<unknown> {
  const listing: Listing<T> = { root: 'stats', item: 'day', slices, json: shape, xml: shape };
  return listing as Listing<unknown>;
}

export function renderWith(shapes: RowShapes, answer: StatsAnswer): RenderedAnswer {
  switch (answer.kind) {
    case 'daily':
      return { listing: rows(answer.slices, shapes.daily) };
    case 'category':
      return { listing: rows(answer.slices, shapes.category) };
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

export const V1_SHAPES: RowShapes = {
  daily: ({ day, row }) => pick(row, { date: formatDay(day) }),
  category: ({ day, category, row }) => pick(row, { date: formatDay(day), category }),
  aggregate: (row) => pick(row, {}),
  categoryAggregate: ({ category, row }) => pick(row, { category }),
};

export const renderAnswer = (answer: StatsAnswer): RenderedAnswer => renderWith(V1_SHAPES, answer);
