// One customer: the main metrics over a chosen range as a chart (day/week/month buckets, in the
// customer's time zone), the same numbers as a table, category and provider breakdowns, and CSV export of
// exactly those tables. Machine opens (Apple Mail Privacy Protection) are shown apart.
import { type Row, type Series, getJson } from './api.js';
import { toCsv } from './csv.js';
import { download } from './download.js';
import { count, h, show } from './dom.js';
import { suppressionSection } from './suppressionView.js';

type UPlotCtor = typeof import('uplot');
const UPlot = (globalThis as unknown as { uPlot: UPlotCtor }).uPlot;

const LABELS: Record<string, string> = {
  requests: 'Requests',
  delivered: 'Delivered',
  human_opens: 'Opens (human)',
  machine_opens: 'Opens (machine)',
  unique_opens: 'Unique opens',
  clicks: 'Clicks',
  unique_clicks: 'Unique clicks',
  bounces: 'Bounces',
  blocks: 'Blocks',
  spamreports: 'Spam reports',
  unsubscribes: 'Unsubscribes',
};
const CHARTED: Array<[string, string]> = [
  ['requests', '#2563eb'],
  ['delivered', '#16a34a'],
  ['human_opens', '#9333ea'],
  ['machine_opens', '#c084fc'],
  ['clicks', '#ea580c'],
  ['bounces', '#dc2626'],
];

export interface RangeChoice {
  days?: string;
  start_date?: string;
  end_date?: string;
  aggregated_by: string;
}

const choice: RangeChoice = { days: '30', aggregated_by: 'day' };

const DAY_S = 86_400;
const epoch = (date: string): number => Date.parse(`${date}T00:00:00Z`) / 1000;

function chart(series: Series, width: number): HTMLElement {
  const holder = h('div', { class: 'chart', id: 'chart' });
  const data = [series.buckets.map((b) => epoch(b.date)), ...CHARTED.map(([f]) => series.buckets.map((b) => b[f] ?? 0))];
  new UPlot(
    {
      width,
      height: 320,
      padding: [12, 48, 0, 0], // room for the last date label
      // Dates are calendar days of the customer's zone; show them as such, not shifted to the viewer's.
      tzDate: (ts: number) => UPlot.tzDate(new Date(ts * 1000), 'UTC'),
      series: [{}, ...CHARTED.map(([f, stroke]) => ({ label: LABELS[f] ?? f, stroke, width: 2 }))],
      // Ticks on whole days only, labelled as dates: a bucket is a calendar day, week or month.
      axes: [{ incrs: [DAY_S, 7 * DAY_S, 28 * DAY_S, 91 * DAY_S, 365 * DAY_S], values: (_u: unknown, ticks: number[]) => ticks.map((t) => new Date(t * 1000).toISOString().slice(0, 10)) }, { size: 60 }],
    },
    data as unknown as import('uplot').AlignedData,
    holder,
  );
  return holder;
}

function table(id: string, first: string, rows: Array<Row & Record<string, unknown>>, firstKey: 'date' | 'category' | 'provider', fields: string[], totals?: Row) {
  const header = [first, ...fields.map((f) => LABELS[f] ?? f)];
  const body = rows.map((r) => [String(r[firstKey]), ...fields.map((f) => Number(r[f] ?? 0))]);
  const el = h(
    'table',
    { class: 'data', id },
    h('thead', {}, h('tr', {}, ...header.map((x) => h('th', {}, x)))),
    h('tbody', {}, ...body.map((r) => h('tr', {}, ...r.map((x, i) => h('td', { class: i === 0 ? '' : 'num' }, typeof x === 'number' ? count(x) : x))))),
    totals ? h('tfoot', {}, h('tr', {}, h('td', {}, 'Total'), ...fields.map((f) => h('td', { class: 'num' }, count(totals[f] ?? 0))))) : null,
  );
  return { el, csv: () => toCsv([firstKey, ...fields], body) };
}

/** `backLink`: the link back to the customer list, which only a reseller has. */
export async function renderCustomer(view: HTMLElement, username: string, { backLink = true } = {}): Promise<void> {
  const params = new URLSearchParams({ aggregated_by: choice.aggregated_by });
  if (choice.days) params.set('days', choice.days);
  else {
    if (choice.start_date) params.set('start_date', choice.start_date);
    if (choice.end_date) params.set('end_date', choice.end_date);
  }
  const series = await getJson<Series>(`/dashboard/api/customers/${encodeURIComponent(username)}/series?${params}`);
  const rerender = () => void renderCustomer(view, username, { backLink });

  const preset = h(
    'select',
    { id: 'range-preset', 'aria-label': 'Range' },
    ...[['7', 'Last 7 days'], ['30', 'Last 30 days'], ['90', 'Last 90 days'], ['365', 'Last 365 days'], ['', 'Custom']].map(([v, label]) =>
      h('option', { value: v ?? '', selected: (choice.days ?? '') === v }, label ?? ''),
    ),
  );
  const start = h('input', { type: 'date', id: 'range-start', value: series.start_date, 'aria-label': 'From' });
  const end = h('input', { type: 'date', id: 'range-end', value: series.end_date, 'aria-label': 'To' });
  const by = h('select', { id: 'range-by', 'aria-label': 'Buckets' }, ...['day', 'week', 'month'].map((b) => h('option', { value: b, selected: b === series.aggregated_by }, b)));
  preset.addEventListener('change', () => {
    if (preset.value) {
      choice.days = preset.value;
      delete choice.start_date;
      delete choice.end_date;
      rerender();
    }
  });
  const apply = h('button', {
    id: 'range-apply',
    onclick: () => {
      delete choice.days;
      choice.start_date = start.value;
      choice.end_date = end.value;
      choice.aggregated_by = by.value;
      rerender();
    },
  }, 'Apply');
  by.addEventListener('change', () => {
    choice.aggregated_by = by.value;
    rerender();
  });

  const seriesTable = table('series', series.aggregated_by === 'day' ? 'Date' : `${series.aggregated_by} from`, series.buckets, 'date', series.fields, series.totals);
  const categoryTable = table('categories', 'Category', series.categories, 'category', series.fields);
  const providerTable = table('providers', 'Provider', series.providers, 'provider', series.fields);
  const file = `mailtally-${username}-${series.start_date}-${series.end_date}-${series.aggregated_by}`;

  show(
    view,
    ...(backLink ? [h('p', {}, h('a', { href: '#/' }, '‹ All customers'))] : []),
    h('h2', { id: 'customer-name' }, username),
    h('p', { class: 'note', id: 'customer-tz' }, `Days are counted in the customer's time zone: ${series.timezone}. ${series.start_date} to ${series.end_date}.`),
    h('div', { class: 'toolbar' }, preset, start, end, by, apply),
    chart(series, Math.min(view.clientWidth || 960, 1100)),
    h('div', { class: 'toolbar' }, h('h3', {}, 'Over time'), h('button', { id: 'export-series', onclick: () => download(`${file}.csv`, seriesTable.csv()) }, 'Export CSV')),
    seriesTable.el,
    h('div', { class: 'toolbar' }, h('h3', {}, 'By category'), h('button', { id: 'export-categories', onclick: () => download(`${file}-categories.csv`, categoryTable.csv()) }, 'Export CSV')),
    series.categories.length ? categoryTable.el : h('p', { class: 'note' }, 'No categorised events in this range.'),
    h('div', { class: 'toolbar' }, h('h3', {}, 'By provider'), h('button', { id: 'export-providers', onclick: () => download(`${file}-providers.csv`, providerTable.csv()) }, 'Export CSV')),
    series.providers.length ? providerTable.el : h('p', { class: 'note' }, 'No events in this range.'),
    suppressionSection(username),
  );
}
