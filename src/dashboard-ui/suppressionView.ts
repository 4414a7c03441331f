// A customer's suppression lists: a tab per list, a search on the start of the address, pages
// in address order (the server pages by keyset, so a page deep in a long list is as quick as
// the first), and the CSV of the list (or of the search) streamed by the server. Each address
// has a Delete button (confirmed first, sent as a dashboard action: api.ts sendAction) for the
// reseller and for the customer itself; the server removes it everywhere it is stored.
import { getJson, sendAction } from './api.js';
import { h } from './dom.js';

interface Entry {
  email: string;
  status: string;
  reason: string;
  first_added: number;
  created: number;
}
interface ListPage {
  list: string;
  entries: Entry[];
  next: string | null;
}

const TABS: Array<[string, string]> = [
  ['bounces', 'Bounces'],
  ['blocks', 'Blocks'],
  ['spam_reports', 'Spam reports'],
  ['invalid_emails', 'Invalid emails'],
  ['unsubscribes', 'Unsubscribes'],
];
const PAGE = 50;
const utc = (s: number): string => `${new Date(s * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

export function suppressionSection(username: string): HTMLElement {
  const state = { list: 'bounces', search: '', trail: [] as string[], after: '' };
  const base = `/dashboard/api/customers/${encodeURIComponent(username)}/suppressions`;
  const body = h('div', { id: 'suppression-body' });
  const search = h('input', { type: 'search', id: 'suppression-search', placeholder: 'Address starts with…', 'aria-label': 'Search addresses' });
  const exportLink = h('a', { id: 'suppression-export', class: 'button', download: '' }, 'Export CSV');
  const tabs = h('div', { class: 'tabs', role: 'tablist', id: 'suppression-tabs' });
  const status = h('p', { class: 'error', id: 'suppression-error', role: 'alert' });

  const load = async (): Promise<void> => {
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (state.search) params.set('email', state.search);
    exportLink.setAttribute('href', `${base}/${state.list}/csv?${params}`);
    if (state.after) params.set('after_email', state.after);
    let page: ListPage;
    status.textContent = '';
    try {
      page = await getJson<ListPage>(`${base}/${state.list}?${params}`);
    } catch (err) {
      body.replaceChildren(h('p', { class: 'error' }, String((err as Error).message)));
      return;
    }
    const detail = state.list === 'bounces' || state.list === 'blocks';
    const reason = detail || state.list === 'invalid_emails';
    const table = h(
      'table',
      { class: 'data', id: 'suppression-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Address'), detail ? h('th', {}, 'Status') : null, reason ? h('th', {}, 'Reason') : null, h('th', {}, 'First added'), h('th', {}, 'Last added'), h('th', {}, ''))),
      h(
        'tbody',
        {},
        ...page.entries.map((e) =>
          h(
            'tr',
            { 'data-email': e.email },
            h('td', {}, e.email),
            detail ? h('td', {}, e.status) : null,
            reason ? h('td', {}, e.reason) : null,
            h('td', {}, utc(e.first_added)),
            h('td', {}, utc(e.created)),
            h('td', {}, h('button', { class: 'delete danger', onclick: () => remove(e.email) }, 'Delete')),
          ),
        ),
      ),
    );
    const prev = h('button', { id: 'suppression-prev', disabled: state.trail.length === 0, onclick: () => ((state.after = state.trail.pop() ?? ''), void load()) }, '‹ Previous');
    const next = h('button', { id: 'suppression-next', disabled: page.next === null, onclick: () => (state.trail.push(state.after), (state.after = page.next ?? ''), void load()) }, 'Next ›');
    body.replaceChildren(page.entries.length ? table : h('p', { class: 'note' }, state.search ? 'No address on this list starts with that.' : 'This list is empty.'), h('div', { class: 'toolbar' }, prev, next));
  };

  // The page is read again afterwards: its next address may have changed too.
  const remove = (email: string): void => {
    const label = TABS.find(([list]) => list === state.list)?.[1] ?? state.list;
    if (!window.confirm(`Delete ${email} from ${label}? It is erased from the server; a new event for it adds it again.`)) return;
    sendAction('DELETE', `${base}/${state.list}?${new URLSearchParams({ email })}`).then(
      () => void load(),
      (err: unknown) => void (status.textContent = err instanceof Error ? err.message : String(err)),
    );
  };

  const restart = (): void => {
    state.trail = [];
    state.after = '';
    void load();
  };
  for (const [list, label] of TABS) {
    tabs.append(
      h('button', {
        role: 'tab',
        id: `tab-${list}`,
        'aria-selected': list === state.list ? 'true' : 'false',
        onclick: (e: Event) => {
          state.list = list;
          for (const b of tabs.querySelectorAll('button')) b.setAttribute('aria-selected', b === e.currentTarget ? 'true' : 'false');
          restart();
        },
      }, label),
    );
  }
  let typing: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.search = search.value.trim().toLowerCase();
      restart();
    }, 250);
  });
  void load();
  return h('section', { id: 'suppressions' }, h('div', { class: 'toolbar' }, h('h3', {}, 'Suppression lists'), search, exportLink), tabs, status, body);
}
