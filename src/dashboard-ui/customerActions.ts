// The reseller's actions on its customers: create (username, password, time zone), disable,
// enable, delete. Each state change is confirmed first and sent with the action header the
// server requires (api.ts sendAction; a cross-site page cannot send it: provisioningRoutes.ts).
import { sendAction as send } from './api.js';
import { h } from './dom.js';

const customerPath = (username: string): string => `/dashboard/api/customers/${encodeURIComponent(username)}`;

/** A collapsible "New customer" form; `done` runs after a customer was created. */
export function createForm(done: () => void): HTMLElement {
  const username = h('input', { name: 'username', id: 'new-username', required: true, maxlength: '64', autocomplete: 'off' });
  const password = h('input', { name: 'password', id: 'new-password', type: 'password', required: true, minlength: '6', autocomplete: 'new-password' });
  const timezone = h('input', { name: 'timezone', id: 'new-timezone', value: 'UTC', placeholder: 'Europe/Berlin' });
  const message = h('p', { class: 'error', id: 'create-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'create-customer', id: 'create-customer' },
    h('label', {}, 'Username', username),
    h('label', {}, 'Password (its api_key)', password),
    h('label', {}, 'Time zone', timezone),
    h('button', { type: 'submit' }, 'Create customer'),
    message,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!window.confirm(`Create customer ${username.value} (time zone ${timezone.value || 'UTC'})?`)) return;
    send('POST', '/dashboard/api/customers', { username: username.value, password: password.value, timezone: timezone.value || 'UTC' }).then(done, (err: unknown) => {
      message.textContent = err instanceof Error ? err.message : String(err);
    });
  });
  return h('details', { class: 'actions-panel' }, h('summary', {}, 'New customer'), form);
}

/** Disable / enable / delete buttons for one customer row; clicks do not open the customer. */
export function rowActions(username: string, done: () => void, failed: (message: string) => void): HTMLElement {
  const act = (question: string, method: 'POST' | 'DELETE', path: string) => (e: Event) => {
    e.stopPropagation();
    if (!window.confirm(question)) return;
    send(method, path).then(done, (err: unknown) => failed(err instanceof Error ? err.message : String(err)));
  };
  return h(
    'td',
    { class: 'row-actions' },
    h('button', { class: 'disable', onclick: act(`Disable ${username}? Its credentials stop at once; its events are still counted.`, 'POST', `${customerPath(username)}/disable`) }, 'Disable'),
    h('button', { class: 'enable', onclick: act(`Enable ${username} again?`, 'POST', `${customerPath(username)}/enable`) }, 'Enable'),
    h(
      'button',
      { class: 'delete danger', onclick: act(`Delete ${username}? It leaves the list and its credentials stop; the username stays reserved and its statistics are kept until purged.`, 'DELETE', customerPath(username)) },
      'Delete',
    ),
  );
}
