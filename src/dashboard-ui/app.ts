// Entry point: sign-in, then a hash router. A reseller moves between its customer list and a
// customer's page; a customer sees its own page only (asking for another one by URL shows the
// server's refusal: the server, not this router, decides what a session may read). Both are
// drawn in the reseller's brand when it has one.
import { HttpError, type Me, getJson, postJson } from './api.js';
import { applyBrand } from './brand.js';
import { renderCustomer } from './customerView.js';
import { h, show } from './dom.js';
import { renderList } from './listView.js';

const view = document.getElementById('view') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;

function signIn(message = ''): void {
  who.replaceChildren();
  applyBrand(null);
  const user = h('input', { name: 'api_user', id: 'api_user', autocomplete: 'username', required: true });
  const key = h('input', { name: 'api_key', id: 'api_key', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', id: 'login-error', role: 'alert' }, message);
  const form = h(
    'form',
    { class: 'login', id: 'login' },
    h('h2', {}, 'Sign in'),
    h('label', {}, 'api_user', user),
    h('label', {}, 'api_key', key),
    h('button', { type: 'submit' }, 'Sign in'),
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    postJson('/dashboard/login', { api_user: user.value, api_key: key.value }).then(
      () => route(),
      (err: unknown) => (error.textContent = err instanceof HttpError && err.status === 429 ? 'Too many attempts; wait a moment.' : 'Wrong api_user or api_key.'),
    );
  });
  show(view, form);
}

async function route(): Promise<void> {
  try {
    const me = await getJson<Me>('/dashboard/api/me');
    applyBrand(me.brand);
    who.replaceChildren(
      `Signed in as ${me.api_user} `,
      h('button', { id: 'logout', onclick: () => void postJson('/dashboard/logout', {}).then(() => signIn()) }, 'Sign out'),
    );
    const m = /^#\/customer\/(.+)$/.exec(location.hash);
    if (me.kind === 'customer') await renderCustomer(view, m ? decodeURIComponent(m[1] ?? '') : me.api_user, { backLink: false });
    else if (m) await renderCustomer(view, decodeURIComponent(m[1] ?? ''));
    else await renderList(view);
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) signIn();
    // A refused or missing page: the server's message, and the way back to the start page.
    else show(view, h('p', { class: 'error', role: 'alert' }, err instanceof Error ? err.message : String(err)), h('p', {}, h('a', { href: '#/', id: 'back-home' }, '‹ Back')));
  }
}

window.addEventListener('hashchange', () => void route());
void route();
