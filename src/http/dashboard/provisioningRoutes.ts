// The reseller's dashboard actions on its customers (issue 14 item 4): create (username,
// password, time zone), disable / enable, delete. The same service as the API's
// (services/provisioning.ts), so the same rules: one namespace, the password becomes the
// customer's api_key, deletion keeps the username reserved and the statistics until purge.
//
// CSRF: every action is a POST or DELETE that must (1) carry the SameSite=Strict session
// cookie, (2) pass the Origin check when a browser sends Origin, and (3) carry the header
// `X-Mailtally-Request: dashboard`. A cross-site page can send none of these three: a custom
// header needs a CORS preflight, which this server never grants, and no form can set one.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, userNotFound } from '../../domain/errors.js';
import { parseSubuserCreate } from '../../domain/subuserParams.js';
import { createCustomer, ownCustomer } from '../../services/provisioning.js';
import type { Customer, Reseller } from '../../store/types.js';
import type { AppDeps } from '../deps.js';

export const ACTION_HEADER = 'x-mailtally-request';

/**
 * The CSRF gate of every dashboard action (this file's header comment): a same-site Origin when
 * one is sent, and the action header no cross-site page can set. Shared with the suppression
 * list's delete (suppressionRoutes.ts), so both refuse exactly alike.
 */
export function requireDashboardAction(request: FastifyRequest, checkOrigin: (request: FastifyRequest) => void): void {
  checkOrigin(request);
  if (request.headers[ACTION_HEADER] !== 'dashboard') throw new ApiError('forbidden', [`error in ${ACTION_HEADER}: must be "dashboard" (sent by the dashboard page only)`]);
}

export interface DashboardGuards {
  signedIn(request: FastifyRequest): Promise<Reseller>;
  checkOrigin(request: FastifyRequest): void;
}

export function provisioningRoutes(app: FastifyInstance, deps: AppDeps, guards: DashboardGuards): void {
  /** The signed-in reseller, for a request that may change state. */
  async function actor(request: FastifyRequest): Promise<Reseller> {
    requireDashboardAction(request, guards.checkOrigin);
    return guards.signedIn(request);
  }

  async function own(request: FastifyRequest, reseller: Reseller): Promise<Customer> {
    const customer = await ownCustomer(deps.store, reseller, (request.params as { username: string }).username);
    if (!customer) throw userNotFound();
    return customer;
  }

  // JSON {username, password, timezone?[, email?]}.
  app.post('/dashboard/api/customers', async (request, reply) => {
    const reseller = await actor(request);
    const input = parseSubuserCreate(request.body, { emailRequired: false });
    const created = await createCustomer(deps.store, reseller, { username: input.username, password: input.password, timezone: input.timezone, profile: input.email === '' ? null : { email: input.email } });
    if (created === 'taken') throw new ApiError('bad_request', ['error in username: is already taken']);
    return reply.code(201).send({ username: created.username, timezone: created.timezone });
  });

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(`/dashboard/api/customers/:username/${action}`, async (request) => {
      const customer = await own(request, await actor(request));
      if (!(await deps.store.setCustomerDisabled(customer.username, disabled))) throw userNotFound();
      return { username: customer.username, disabled };
    });
  }

  app.delete('/dashboard/api/customers/:username', async (request) => {
    const customer = await own(request, await actor(request));
    if (!(await deps.store.deleteCustomer(customer.id, deps.now()))) throw userNotFound();
    return { username: customer.username, deleted: true };
  });
}
