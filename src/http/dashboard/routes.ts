// /dashboard: a reseller's own view of its customers. Sign-in with api_user + api_key (the same
// verifier, cache and throttle as the API) sets a signed session cookie; the page's data comes
// from JSON endpoints under /dashboard/api that read the rollups. State changes (sign-in,
// sign-out) are POSTs that must come from this origin; the cookie is SameSite=Strict.
import cookie from '@fastify/cookie';
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
import { endSession, sessionReseller, startSession } from './session.js';
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

  async function signedIn(request: FastifyRequest): Promise<Reseller> {
    const reseller = await sessionReseller(request, deps.store, deps.now().getTime());
    if (!reseller) throw unauthorized();
    return reseller;
  }

  /**
   * The customer a dashboard request may read, or the same 400 whether it does not exist or is
   * not the signed-in account's to read. Every per-customer route goes through this one gate.
   */
  async function readableCustomer(request: FastifyRequest, username: string): Promise<Customer> {
    const reseller = await signedIn(request);
    const customer = await deps.store.findCustomer(username);
    if (!customer || customer.resellerId !== reseller.id) throw userNotFound();
    return customer;
  }

  suppressionRoutes(app, deps.store, readableCustomer);

  app.post('/dashboard/login', async (request, reply) => {
    checkOrigin(request);
    const params = collectParams(request.body as Record<string, unknown> | undefined);
    const [apiUser, apiKey] = [params.get('api_user')?.[0], params.get('api_key')?.[0]];
    const reseller = await deps.verifier.authenticate(apiUser, apiKey, request.ip);
    startSession(request, reply, reseller, deps.now().getTime());
    return { api_user: reseller.apiUser };
  });

  app.post('/dashboard/logout', async (request, reply) => {
    checkOrigin(request);
    await endSession(request, reply, deps.store, deps.now().getTime());
    return { signed_out: true };
  });

  app.get('/dashboard/api/me', async (request) => ({ api_user: (await signedIn(request)).apiUser }));

  app.get('/dashboard/api/customers', async (request) => {
    const reseller = await signedIn(request);
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
