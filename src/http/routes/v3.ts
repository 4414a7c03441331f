// v3: SendGrid's statistics API for a reseller's customers (its "subusers"), JSON only,
// `Authorization: Bearer <reseller api_key>`, registered under the /v3 prefix; the one error
// handler answers every path there in the v3 envelope (v3Errors.ts). Order of checks, as in v1:
// credentials (401) → the customers named (400) → the other parameters (400, all listed).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Account, mayRead } from '../../auth/account.js';
import { type BearerVerifier, bearerKey } from '../../auth/bearer.js';
import { todayIn } from '../../domain/calendar.js';
import { ApiError, badParam, paramMessage } from '../../domain/errors.js';
import { type Params, collectParams } from '../../domain/params.js';
import { parseV3Monthly } from '../../domain/v3Monthly.js';
import { parseGroupBy, parseNameList, parseV3Series, parseV3Sums } from '../../domain/v3Query.js';
import { categorySeries, customerSeries, providerSeries, resellerCategorySeries, resellerSeries, subuserSeries } from '../../services/v3Series.js';
import { categorySums, subuserSums } from '../../services/v3Sums.js';
import type { Customer, Reseller } from '../../store/types.js';
import type { AppDeps } from '../deps.js';
import { V3_BAD_CREDENTIALS, sendV3 } from '../v3Errors.js';

export interface V3Deps extends AppDeps {
  bearer: BearerVerifier;
}

const SUBUSER_NOT_FOUND = 'subuser not found';
/** SendGrid's answer to a key without the scope an endpoint needs. */
const V3_FORBIDDEN = 'access forbidden';

const unreachable = (): never => {
  throw new Error('unreachable: a customer account always names its customer');
};
const resellerId = (owner: Account): number => (owner.kind === 'reseller' ? owner.reseller.id : unreachable());

/** Runs both parsers and reports the problems of both in one answer. */
function together<A, B>(a: () => A, b: () => B): [A, B] {
  const messages: string[] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof ApiError) || err.kind !== 'bad_request') throw err;
      messages.push(...err.messages);
      return undefined;
    }
  };
  const ra = attempt(a);
  const rb = attempt(b);
  if (messages.length > 0) throw new ApiError('bad_request', messages);
  return [ra as A, rb as B];
}

export async function v3Routes(app: FastifyInstance, deps: V3Deps): Promise<void> {
  // GET only, parameters in the query string. Fastify does not read a GET's body; with no
  // parsers here either, nothing sent in a body can ever be taken for a parameter.
  app.removeAllContentTypeParsers();

  async function account(request: FastifyRequest): Promise<Account> {
    const found = await deps.bearer.authenticate(bearerKey(request.headers.authorization), request.ip);
    if (!found) throw new ApiError('unauthorized', [V3_BAD_CREDENTIALS]);
    return found;
  }

  /** The subuser endpoints are the parent account's: a customer's own key is refused there. */
  async function reseller(request: FastifyRequest): Promise<Reseller> {
    const found = await account(request);
    if (found.kind !== 'reseller') throw new ApiError('forbidden', [V3_FORBIDDEN]);
    return found.reseller;
  }

  /**
   * Whose statistics a /v3/stats-style call reads: the customer whose own key it is (which may
   * not act on behalf of anyone, itself included), the customer a reseller names in
   * `on-behalf-of`, or null for the reseller's own parent-account view.
   */
  async function subject(request: FastifyRequest): Promise<{ owner: Account; customer: Customer | null }> {
    const owner = await account(request);
    if (owner.kind === 'customer') {
      if (request.headers['on-behalf-of'] !== undefined) throw new ApiError('forbidden', [paramMessage('on-behalf-of', 'is only for parent accounts; a subuser key reads its own statistics')]);
      return { owner, customer: owner.customer };
    }
    return { owner, customer: await optionalOnBehalfOf(request, owner.reseller) };
  }

  /** The customer named by `on-behalf-of`; another reseller's looks exactly like a missing one. */
  async function onBehalfOf(request: FastifyRequest, owner: Reseller): Promise<Customer> {
    const customer = await optionalOnBehalfOf(request, owner);
    if (!customer) throw badParam('on-behalf-of', "is required (the subuser's username)");
    return customer;
  }

  /** As onBehalfOf, but null when the header is absent (or empty): the reseller's own view. */
  async function optionalOnBehalfOf(request: FastifyRequest, owner: Reseller): Promise<Customer | null> {
    const username = request.headers['on-behalf-of'];
    if (username === undefined || username === '') return null;
    if (typeof username !== 'string') throw badParam('on-behalf-of', 'must be given only once');
    const customer = await deps.store.findCustomer(username);
    if (!customer || !mayRead({ kind: 'reseller', reseller: owner }, customer)) throw badParam('on-behalf-of', SUBUSER_NOT_FOUND);
    return customer;
  }

  /** The parent-account view's "today": a reseller's day is UTC (SPEC section 8). */
  const utcToday = (): number => todayIn('UTC', deps.now());

  /**
   * "Today" bounds end_date. Customers in several time zones have several todays; the latest
   * one is used, so no customer's today is ever cut off (days after a customer's own today are
   * simply zero). With no customer at all, UTC.
   */
  function todayOf(customers: readonly Customer[]): number {
    const now = deps.now();
    const zones = new Set(customers.map((c) => c.timezone));
    if (zones.size === 0) zones.add('UTC');
    let today = -Infinity;
    for (const zone of zones) today = Math.max(today, todayIn(zone, now));
    return today;
  }

  const paramsOf = (request: FastifyRequest): Params => collectParams(request.query as Record<string, unknown>);

  // Without on-behalf-of, /v3/stats and /v3/categories/stats answer for the parent account, as
  // SendGrid's own examples call them: the sum over every customer of the reseller.
  app.get('/stats', async (request, reply) => {
    const { owner, customer } = await subject(request);
    const params = paramsOf(request);
    const [groupBy, q] = together(
      () => parseGroupBy(params),
      () => parseV3Series(params, customer ? todayOf([customer]) : utcToday()),
    );
    if (!customer) {
      if (groupBy) throw new ApiError('bad_request', [paramMessage('group_by', 'needs on-behalf-of: the split by provider is per subuser')]);
      return sendV3(reply, 200, await resellerSeries(deps.store, resellerId(owner), q));
    }
    return sendV3(reply, 200, await (groupBy ? providerSeries : customerSeries)(deps.store, customer, q));
  });

  app.get('/subusers/stats', async (request, reply) => {
    const owner = await reseller(request);
    const params = paramsOf(request);
    const names = parseNameList(params, 'subusers');
    const found = await Promise.all(names.map((n) => deps.store.findCustomer(n)));
    const missing = names.filter((_, i) => found[i]?.resellerId !== owner.id);
    if (missing.length > 0) throw new ApiError('bad_request', missing.map((n) => paramMessage('subusers', `${SUBUSER_NOT_FOUND}: ${n}`)));
    const customers = found as Customer[];
    const q = parseV3Series(params, todayOf(customers));
    return sendV3(reply, 200, await subuserSeries(deps.store, customers, q));
  });

  app.get('/subusers/stats/sums', async (request, reply) => {
    const owner = await reseller(request);
    const customers = await deps.store.customersOf(owner.id);
    const q = parseV3Sums(paramsOf(request), todayOf(customers));
    return sendV3(reply, 200, await subuserSums(deps.store, owner.id, customers, q));
  });

  // SendGrid's Node and Python examples call this one: the sums of one calendar month.
  app.get('/subusers/stats/monthly', async (request, reply) => {
    const owner = await reseller(request);
    const customers = await deps.store.customersOf(owner.id);
    const q = parseV3Monthly(paramsOf(request), todayOf(customers));
    const chosen = q.subuser === undefined ? customers : customers.filter((c) => c.username.includes(q.subuser as string));
    return sendV3(reply, 200, await subuserSums(deps.store, owner.id, chosen, q));
  });

  app.get('/categories/stats', async (request, reply) => {
    const { owner, customer } = await subject(request);
    const params = paramsOf(request);
    const [names, q] = together(
      () => parseNameList(params, 'categories'),
      () => parseV3Series(params, customer ? todayOf([customer]) : utcToday()),
    );
    if (!customer) return sendV3(reply, 200, await resellerCategorySeries(deps.store, resellerId(owner), names, q));
    return sendV3(reply, 200, await categorySeries(deps.store, customer, names, q));
  });

  app.get('/categories/stats/sums', async (request, reply) => {
    const { owner, customer: named } = await subject(request);
    const customer = named ?? (await onBehalfOf(request, owner.kind === 'reseller' ? owner.reseller : unreachable()));
    const q = parseV3Sums(paramsOf(request), todayOf([customer]));
    return sendV3(reply, 200, await categorySums(deps.store, customer, q));
  });
}
