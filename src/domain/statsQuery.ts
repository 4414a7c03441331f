// `method=stats` parameters → one typed query (SPEC section 3). Pure: `today` is passed in.
import { type Params, ParamErrors, has, single } from './params.js';
import { type DayRange, parseRange } from './ranges.js';

export const MAX_CATEGORIES = 100;

export type StatsQuery =
  | ({ kind: 'daily' } & DayRange)
  /** All time up to and including `through` (today): future-dated events count once their day comes. */
  | { kind: 'aggregate'; through: number }
  /** aggregate=1 with categories: one all-time row (through today) per requested category (issue 11). */
  | { kind: 'categoryAggregate'; categories: string[]; through: number }
  | { kind: 'list' }
  | ({ kind: 'category'; categories: string[] } & DayRange);

const DATE_PARAMS = ['days', 'start_date', 'end_date'] as const;

function flag(params: Params, name: string, yes: string[], no: string[], what: string, errors: ParamErrors): boolean {
  const value = single(params, name, errors);
  if (value === undefined) return false;
  if (yes.includes(value)) return true;
  if (no.includes(value)) return false;
  errors.add(name, what);
  return false;
}

/** Distinct names in the order first requested; exact, case-sensitive matching. */
function requestedCategories(params: Params, errors: ParamErrors): string[] {
  const categories = [...new Set(params.get('category') ?? [])];
  if (categories.length > MAX_CATEGORIES) errors.add('category', `at most ${MAX_CATEGORIES} categories per request`);
  return categories;
}

export function parseStatsQuery(params: Params, today: number): StatsQuery {
  const errors = new ParamErrors();
  const aggregate = flag(params, 'aggregate', ['1', 'true'], ['0', 'false'], 'must be 1 or true (0 or false for a non-aggregate call)', errors);
  const list = flag(params, 'list', ['true', '1'], [], 'must be true or 1', errors);
  const wantsCategories = has(params, 'category');
  errors.throwIfAny();

  // aggregate + category is one shape of its own (per-category all-time totals, issue 11);
  // any other pair of shapes is an error.
  const shapes = [aggregate && 'aggregate', list && 'list', wantsCategories && !aggregate && 'category'].filter((s): s is string => !!s);
  if (shapes.length > 1) {
    errors.add(shapes[1] as string, `cannot be combined with ${shapes[0]}`);
    errors.throwIfAny();
  }

  if (aggregate || list) {
    const shape = aggregate ? 'aggregate' : 'list';
    for (const p of DATE_PARAMS) if (has(params, p)) errors.add(p, `is not allowed with ${shape}`);
    const categories = aggregate && wantsCategories ? requestedCategories(params, errors) : undefined;
    errors.throwIfAny();
    if (categories) return { kind: 'categoryAggregate', categories, through: today };
    return shape === 'aggregate' ? { kind: 'aggregate', through: today } : { kind: 'list' };
  }

  const categories = wantsCategories ? requestedCategories(params, errors) : undefined;
  const range = parseRange(params, today, errors);
  errors.throwIfAny();
  if (!range) throw new Error('unreachable: range missing without errors');
  return categories ? { kind: 'category', categories, ...range } : { kind: 'daily', ...range };
}
