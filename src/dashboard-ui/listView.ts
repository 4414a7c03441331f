// The reseller's customers: last-30-day requests and rates, sortable, paged, searchable, each
// with a trend line. Only one page is fetched at a time, so 10,000 customers stay fast.
import { type CustomerPage, getJson } from './api.js';
import { count, h, percent, show } from './dom.js';
import { sparkline } from './sparkline.js';
import { createForm, rowActions } from './customerActions.js';

const COLUMNS = [
  { key: 'username', label: 'Customer' },
  { key: 'requests', label: 'Requests' },
  { key: 'delivered_rate', label: 'Delivered' },
  { key: 'open_rate', label: 'Opens' },
  { key: 'click_rate', label: 'Clicks' },
  { key: 'bounce_rate', label: 'Bounces' },
  { key: 'spam_rate', label: 'Spam reports' },
] as const;

const PAGE = 50;
const state = { sort: 'requests', dir: 'desc' as 'asc' | 'desc', offset: 0, q: '' };

export async function renderList(view: HTMLElement): Promise<void> {
  const params = new URLSearchParams({ sort: state.sort, dir: state.dir, offset: String(state.offset), limit: String(PAGE), q: state.q });
  const page = await getJson<CustomerPage>(`/dashboard/api/customers?${params}`);
  const rerender = () => void renderList(view);

  const search = h('input', { type: 'search', placeholder: 'Find a customer', value: state.q, 'aria-label': 'Find a customer', id: 'customer-search' });
  let timer: number | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      state.q = search.value;
      state.offset = 0;
      rerender();
    }, 250);
  });

  const head = h(
    'tr',
    {},
    ...COLUMNS.map((c) =>
      h(
        'th',
        {
          class: `sortable${state.sort === c.key ? ` sorted-${state.dir}` : ''}`,
          'data-sort': c.key,
          onclick: () => {
            state.dir = state.sort === c.key && state.dir === 'desc' ? 'asc' : 'desc';
            state.sort = c.key;
            state.offset = 0;
            rerender();
          },
        },
        c.label,
      ),
    ),
    h('th', {}, 'Trend (requests/day)'),
    h('th', {}, 'Actions'),
  );
  const status = h('p', { class: 'error', id: 'action-error', role: 'alert' });
  const failed = (message: string) => void (status.textContent = message);
  const rows = page.customers.map((c) =>
    h(
      'tr',
      { class: 'customer-row', 'data-username': c.username, onclick: () => (location.hash = `#/customer/${encodeURIComponent(c.username)}`) },
      h('td', {}, h('a', { href: `#/customer/${encodeURIComponent(c.username)}` }, c.username)),
      h('td', { class: 'num' }, count(c.requests)),
      ...[c.delivered_rate, c.open_rate, c.click_rate, c.bounce_rate, c.spam_rate].map((r) => h('td', { class: 'num' }, percent(r))),
      h('td', {}, sparkline(c.trend)),
      rowActions(c.username, rerender, failed),
    ),
  );
  const last = Math.min(page.offset + page.limit, page.total);
  show(
    view,
    h('div', { class: 'toolbar' }, h('h2', {}, `Customers · ${page.from} to ${page.to} (UTC)`), search),
    createForm(rerender),
    status,
    h('table', { class: 'data', id: 'customers' }, h('thead', {}, head), h('tbody', {}, ...rows)),
    h(
      'div',
      { class: 'pager' },
      h('button', { disabled: page.offset === 0, onclick: () => ((state.offset = Math.max(0, state.offset - PAGE)), rerender()) }, '‹ Previous'),
      h('span', {}, page.total === 0 ? 'No customers' : `${count(page.offset + 1)}–${count(last)} of ${count(page.total)}`),
      h('button', { disabled: last >= page.total, onclick: () => ((state.offset += PAGE), rerender()) }, 'Next ›'),
    ),
    h('p', { class: 'note' }, 'Delivered and bounces are shares of requests; opens, clicks (unique, one per message) and spam reports are shares of delivered.'),
  );
}
