// v1 provisioning calls with endpoints of their own (SPEC section 9, customer_management.md):
//   /api/distributor.add.{json,xml}     create a customer (username, password + confirm_password,
//                                       profile fields, and `timezone`, this project's extension)
//   /api/distributor.delete.{json,xml}  user=…: the customer is deleted — its credentials stop,
//                                       it leaves every list, its username stays reserved and its
//                                       statistics stay until `customer purge`
// GET or POST, query and/or form body (urlencoded or multipart), reseller credentials; checks in
// SPEC section 3's order: credentials (401) → user (400) → the call's parameters (400, all listed).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { todayIn } from '../../domain/calendar.js';
import { ApiError, userNotFound } from '../../domain/errors.js';
import { collectParams } from '../../domain/params.js';
import { parseAdd } from '../../domain/provisioningParams.js';
import { createCustomer } from '../../services/provisioning.js';
import type { AppDeps } from '../deps.js';
import { acceptFormBodies } from '../formBodies.js';
import { sendSuccess } from '../provisioningResponses.js';
import type { Format } from '../render.js';
import { namedCustomer } from './distributor/customerParams.js';
import { credential } from './legacy.js';

export const USERNAME_TAKEN = 'error in username: is already taken';

export async function provisioningRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await acceptFormBodies(app);

  const reseller = (request: FastifyRequest) => {
    const params = collectParams(request.query as Record<string, unknown>, request.body as Record<string, unknown> | undefined);
    return deps.verifier.authenticate(credential(params, 'api_user'), credential(params, 'api_key'), request.ip).then((r) => ({ reseller: r, params }));
  };

  const add = (format: Format) => async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const { reseller: owner, params } = await reseller(request);
    const input = parseAdd(params, todayIn('UTC', deps.now()));
    const created = await createCustomer(deps.store, owner, input);
    if (created === 'taken') throw new ApiError('bad_request', [USERNAME_TAKEN]);
    return sendSuccess(reply, format);
  };

  const remove = (format: Format) => async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const { reseller: owner, params } = await reseller(request);
    const customer = await namedCustomer(deps.store, owner, params);
    // Deleted by a concurrent call in between: the same answer as for any missing customer.
    if (!(await deps.store.deleteCustomer(customer.id, deps.now()))) throw userNotFound();
    return sendSuccess(reply, format);
  };

  // Static routes: they take precedence over the v1 route's /api/* wildcard.
  for (const format of ['json', 'xml'] as const) {
    app.route({ method: ['GET', 'POST'], url: `/api/distributor.add.${format}`, handler: add(format) });
    app.route({ method: ['GET', 'POST'], url: `/api/distributor.delete.${format}`, handler: remove(format) });
  }
}
