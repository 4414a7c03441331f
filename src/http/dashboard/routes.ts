// /dashboard: a reseller's view of its customers, and a customer's view of itself (SPEC section
// 8). Sign-in with api_user + api_key — a reseller's, or a customer's own username and key — (the
// same verifier, cache and throttle as the API) sets a signed session cookie naming the account's
// kind; the page's data comes from JSON endpoints under /dashboard/api that read the rollups.
// What a session may read is decided by auth/account.ts `mayRead`, through `readableCustomer`.
// State changes (sign-in, sign-out) are POSTs that must come from this origin; the cookie is
// SameSite=Strict.
import cookie from '@fastify/cookie';
import { type Account, mayRead } from '../../auth/account.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGGREGATIONS, type Aggregation } from '../../domain/buckets.js';
import { todayIn } from '../../domain/calendar.js';
import { ApiError, badParam, unauthorized, userNotFound } from '../../domain/errors.js';
import { ParamErrors, collectParams, single } from '../../domain/params.js';
import { parseRange } from '../../domain/ranges.js';
import { SORT_KEYS, type SortKey, customerList, customerSeries } from '../../services/dashboard.js';
import type { Customer, Reseller } from '../../store/types.js';
import type { AppDeps } from '../deps.js';
import { loadAssets } from './assets.js';
import { provisioningRoutes, requireDashboardAction } from './provisioningRoutes.js';
import { endSession, sessionAccount, startSession } from './session.js';
import { suppressionRoutes } from './suppressionRoutes.js';

export interface DashboardOptions extends AppDeps {
  /** Signs session cookies; every process behind one load balancer needs the same one. */
  sessionSecret: string;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

function integerParam(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw badParam(name, `must be an integer from ${min} to ${max}`);
  return n;
}

/** A state-changing request must come from a page of this server (defence beside SameSite). */
function checkOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return; // non-browser clients; browsers always send Origin on POST
  if (origin !== `${request.protocol}://${request.headers.host ?? ''}`) throw new ApiError('forbidden', ['error in Origin: cross-site request refused']);
}

// Either kind signs in to the dashboard; what it then sees is decided by `readableCustomer`.
const SIGN_IN_KINDS = ['reseller', 'customer'] as const;
export const CUSTOMER_LIST_REFUSED = 'error in session: a customer account sees only its own statistics, not a customer list';

const accountName = (account: Account): string => (account.kind === 'reseller' ? account.reseller.apiUser : account.customer.username);

export async function dashboardRoutes(app: FastifyInstance, opts: DashboardOptions): Promise<void> {
  const { sessionSecret, ...deps } = opts;
  await app.register(cookie, { secret: sessionSecret });
  const assets = loadAssets();

  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });

  const sendAsset = (name: string, reply: FastifyReply): FastifyReply => {
    const asset = assets.get(name);
    if (!asset) throw new ApiError('not_found', ['error in path: unknown endpoint']);
    return reply.type(asset.type).send(asset.body);
  };
  app.get('/dashboard', async (_request, reply) => sendAsset('index.html', reply));
  app.get('/dashboard/assets/:name', async (request, reply) => sendAsset((request.params as { name: string }).name, reply));

  async function signedIn(request: FastifyRequest): Promise<Account> {
    const account = await sessionAccount(request, deps.store, deps.now().getTime());
    if (!account) throw unauthorized();
    return account;
  }

  /**
   * The customer a dashboard request may read, or the same 400 whether it does not exist or is
   * not the signed-in account's to read (a reseller: its own customers; a customer: itself).
   * Every per-customer route goes through this one gate.
   */
  async function readableCustomer(request: FastifyRequest, username: string): Promise<Customer> {
    const account = await signedIn(request);
    const customer = await deps.store.findCustomer(username);
    if (!customer || !mayRead(account, customer)) throw userNotFound();
    return customer;
  }

  // Create / disable / enable / delete customers (issue 14), behind the same session and Origin check.
  // Those actions are a reseller's: a customer session gets the same 403 as for the list.
  async function signedInReseller(request: FastifyRequest): Promise<Reseller> {
    const account = await signedIn(request);
    if (account.kind !== 'reseller') throw new ApiError('forbidden', [CUSTOMER_LIST_REFUSED]);
    return account.reseller;
  }
  provisioningRoutes(app, deps, { signedIn: signedInReseller, checkOrigin });
  suppressionRoutes(app, deps.store, readableCustomer, (request) => requireDashboardAction(request, checkOrigin));

  app.post('/dashboard/login', async (request, reply) => {
    checkOrigin(request);
    const params = collectParams(request.body as Record<string, unknown> | undefined);
    const [apiUser, apiKey] = [params.get('api_user')?.[0], params.get('api_key')?.[0]];
    const { account, keyHash } = await deps.verifier.verify(apiUser, apiKey, request.ip, SIGN_IN_KINDS);
    // False only when the key was replaced or the customer disabled during this very sign-in.
    if (!(await startSession(request, reply, account, keyHash, deps.store, deps.now().getTime()))) throw unauthorized();
    return { kind: account.kind, api_user: accountName(account) };
  });

  app.post('/dashboard/logout', async (request, reply) => {
    checkOrigin(request);
    await endSession(request, reply, deps.store, deps.now().getTime());
    return { signed_out: true };
  });

  // What the page needs to draw itself: which kind of view, and the brand to draw it in (a
  // customer's reseller's, or the reseller's own).
  app.get('/dashboard/api/me', async (request) => {
    const account = await signedIn(request);
    const resellerId = account.kind === 'reseller' ? account.reseller.id : account.customer.resellerId;
    return { kind: account.kind, api_user: accountName(account), brand: await deps.store.resellerBrand(resellerId) };
  });

  app.get('/dashboard/api/customers', async (request) => {
    const account = await signedIn(request);
    // A customer has no list to see: its page is its own (/dashboard/api/customers/<itself>/…).
    if (account.kind !== 'reseller') throw new ApiError('forbidden', [CUSTOMER_LIST_REFUSED]);
    const reseller = account.reseller;
    const params = collectParams(request.query as Record<string, unknown>);
    const errors = new ParamErrors();
    const [sort, dir, offset, limit, filter] = ['sort', 'dir', 'offset', 'limit', 'q'].map((n) => single(params, n, errors));
    errors.throwIfAny();
    if (sort !== undefined && !SORT_KEYS.includes(sort as SortKey)) throw badParam('sort', `must be one of ${SORT_KEYS.join(', ')}`);
    if (dir !== undefined && dir !== 'asc' && dir !== 'desc') throw badParam('dir', 'must be asc or desc');
    return customerList(deps.store, reseller.id, todayIn('UTC', deps.now()), {
      sort: (sort as SortKey | undefined) ?? 'requests',
      dir: dir ?? 'desc',
      offset: integerParam(offset, 'offset', 0, 0, 10_000_000),
      limit: integerParam(limit, 'limit', 50, 1, 200),
      filter: filter ?? '',
    });
  });

  app.get('/dashboard/api/customers/:username/series', async (request) => {
    const customer = await readableCustomer(request, (request.params as { username: string }).username);
    const params = collectParams(request.query as Record<string, unknown>);
    const errors = new ParamErrors();
    const range = parseRange(params, todayIn(customer.timezone, deps.now()), errors);
    const by = single(params, 'aggregated_by', errors) ?? 'day';
    if (!AGGREGATIONS.includes(by as Aggregation)) errors.add('aggregated_by', 'must be day, week or month');
    errors.throwIfAny();
    if (!range) throw new Error('unreachable: range missing without errors');
    return customerSeries(deps.store, customer, range, by as Aggregation);
  });
}
