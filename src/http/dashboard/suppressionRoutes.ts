// The dashboard's suppression list tabs (SPEC section 9): one page of a list in address order
// (prefix search, keyset paging: constant time per page however long the list), and the CSV of
// the whole list (or of the addresses matching the search), streamed a slice at a time. The
// customer is read through the dashboard's one gate, `readableCustomer`, passed in by routes.ts.
// Deleting one address (issue 14 item 4) goes through that gate too, so whoever may read a list
// may clean it: the customer's reseller, and the customer itself (SendGrid let a customer manage
// its own suppressions). It is CSRF-safe as the provisioning actions are (requireDashboardAction)
// and calls the store method the v1 and v3 deletes call, so the address leaves every table that
// holds it in clear, and the SQLite files (secure delete, WAL truncated).
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, badParam } from '../../domain/errors.js';
import { type Params, ParamErrors, collectParams, single } from '../../domain/params.js';
import { SUPPRESSION_LISTS, type SuppressionEntry, type SuppressionList, isSuppressionList } from '../../domain/suppression.js';
import { addressParam, mysqlTime } from '../../domain/suppressionQuery.js';
import type { Customer, Store } from '../../store/types.js';

export type ReadableCustomer = (request: FastifyRequest, username: string) => Promise<Customer>;
export type ActionGate = (request: FastifyRequest) => void;

const PAGE_MAX = 200;
const CSV_SLICE = 1_000;
/** Search text is an address prefix: no longer than an address. */
const PREFIX_MAX = 320;

interface Query {
  prefix: string;
  after?: string;
  limit: number;
}

function parseQuery(params: Params): Query {
  const errors = new ParamErrors();
  const [prefix, after, limit] = ['email', 'after_email', 'limit'].map((n) => single(params, n, errors));
  errors.throwIfAny();
  if ((prefix?.length ?? 0) > PREFIX_MAX) throw badParam('email', `at most ${PREFIX_MAX} characters`);
  const n = limit === undefined ? 50 : /^\d{1,4}$/.test(limit) ? Number(limit) : NaN;
  if (!(n >= 1 && n <= PAGE_MAX)) throw badParam('limit', `must be an integer from 1 to ${PAGE_MAX}`);
  // Entries are stored lower-cased, so the search is too.
  const q: Query = { prefix: (prefix ?? '').trim().toLowerCase(), limit: n };
  if (after !== undefined && after !== '') q.after = after;
  return q;
}

const entryJson = (e: SuppressionEntry) => ({ email: e.email, status: e.status, reason: e.reason, first_added: e.firstAdded, created: e.created });

// As the dashboard's own CSV (dashboard-ui/csv.ts): a cell a spreadsheet would run as a formula
// is quoted and prefixed with ', and addresses and bounce texts come from other people's mail.
const FORMULA_START = /^[=+\-@\t\r]/;
function csvCell(v: string): string {
  if (FORMULA_START.test(v)) return `"'${v.replaceAll('"', '""')}"`;
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}
const csvLine = (cells: string[]): string => `${cells.map(csvCell).join(',')}\r\n`;

async function* csvText(store: Store, customerId: number, list: SuppressionList, prefix: string): AsyncGenerator<string> {
  yield csvLine(['email', 'status', 'reason', 'first_added', 'created']);
  let after: string | undefined;
  for (;;) {
    const page = await store.suppressionsByAddress(customerId, { list, prefix, limit: CSV_SLICE, ...(after !== undefined ? { after } : {}) });
    if (page.length > 0) yield page.map((e) => csvLine([e.email, e.status, e.reason, mysqlTime(e.firstAdded), mysqlTime(e.created)])).join('');
    if (page.length < CSV_SLICE) return;
    after = (page[page.length - 1] as SuppressionEntry).email;
    await nextTurn();
  }
}

export function suppressionRoutes(app: FastifyInstance, store: Store, readableCustomer: ReadableCustomer, actionGate: ActionGate): void {
  const target = async (request: FastifyRequest): Promise<{ customer: Customer; list: SuppressionList }> => {
    const { username, list } = request.params as { username: string; list: string };
    const customer = await readableCustomer(request, username);
    if (!isSuppressionList(list)) throw new ApiError('not_found', [`error in path: the lists are ${SUPPRESSION_LISTS.join(', ')}`]);
    return { customer, list };
  };

  app.get('/dashboard/api/customers/:username/suppressions/:list', async (request) => {
    const { customer, list } = await target(request);
    const q = parseQuery(collectParams(request.query as Record<string, unknown>));
    // One more than asked tells whether there is a next page without counting the list.
    const rows = await store.suppressionsByAddress(customer.id, { list, prefix: q.prefix, limit: q.limit + 1, ...(q.after !== undefined ? { after: q.after } : {}) });
    const entries = rows.slice(0, q.limit);
    return { list, entries: entries.map(entryJson), next: rows.length > q.limit ? (entries[entries.length - 1] as SuppressionEntry).email : null };
  });

  app.get('/dashboard/api/customers/:username/suppressions/:list/csv', async (request, reply) => {
    const { customer, list } = await target(request);
    const q = parseQuery(collectParams(request.query as Record<string, unknown>));
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="mailtally-${list}.csv"`)
      .send(Readable.from(csvText(store, customer.id, list, q.prefix)));
  });

  // ?email=<address>: in the query rather than the path, where an address's own characters
  // (a '/' is legal before the @) would need a second round of escaping.
  app.delete('/dashboard/api/customers/:username/suppressions/:list', async (request) => {
    actionGate(request); // before the session: a cross-site request learns nothing, not even 401
    const { customer, list } = await target(request);
    const email = addressParam(collectParams(request.query as Record<string, unknown>));
    // The customer's own data: telling it that an address is not listed reveals nothing.
    if ((await store.deleteSuppressions(customer.id, list, [email])) === 0) throw new ApiError('not_found', ['error in email: is not on this list']);
    return { list, email, deleted: true };
  });
}
