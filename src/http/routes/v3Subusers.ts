// v3 provisioning, SendGrid's Subusers API (SPEC section 9), for a reseller's Bearer key only
// (a customer's own key gets 403, as on the other subuser endpoints):
//   POST   /v3/subusers                 {username, email, password[, ips][, timezone]} → 200
//   GET    /v3/subusers?username&limit&offset                                         → 200
//   PATCH  /v3/subusers/{name}          {"disabled": true|false}                       → 204
//   DELETE /v3/subusers/{name}                                                         → 204
// A subuser that is another reseller's, deleted, or unknown is 404 `subuser not found`.
// Registered in a context of its own: v3.ts takes no bodies, these take small JSON ones.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerKey } from '../../auth/bearer.js';
import { ApiError } from '../../domain/errors.js';
import { collectParams } from '../../domain/params.js';
import { parseSubuserCreate, parseSubuserList, parseSubuserPatch } from '../../domain/subuserParams.js';
import { createCustomer, ownCustomer } from '../../services/provisioning.js';
import type { Customer, Reseller } from '../../store/types.js';
import { V3_BAD_CREDENTIALS, sendV3 } from '../v3Errors.js';
import type { V3Deps } from './v3.js';

/** A subuser request body is a few short fields. */
const BODY_LIMIT = 64 * 1024;
const NOT_FOUND = 'subuser not found';

export async function v3SubuserRoutes(app: FastifyInstance, deps: V3Deps): Promise<void> {
  app.removeAllContentTypeParsers();
  // JSON only. An empty body is no body (the Node client sends Content-Type: application/json
  // with every request, DELETE included).
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, text, done) => {
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text as string));
    } catch {
      done(new ApiError('bad_request', ['error in body: is not valid JSON']), undefined);
    }
  });

  async function reseller(request: FastifyRequest): Promise<Reseller> {
    const found = await deps.bearer.authenticate(bearerKey(request.headers.authorization), request.ip);
    if (!found) throw new ApiError('unauthorized', [V3_BAD_CREDENTIALS]);
    if (found.kind !== 'reseller') throw new ApiError('forbidden', ['access forbidden']);
    return found.reseller;
  }

  async function subuser(request: FastifyRequest, owner: Reseller): Promise<Customer> {
    const customer = await ownCustomer(deps.store, owner, (request.params as { name: string }).name);
    if (!customer) throw new ApiError('not_found', [NOT_FOUND]);
    return customer;
  }

  app.post('/subusers', async (request, reply) => {
    const owner = await reseller(request);
    const input = parseSubuserCreate(request.body);
    const created = await createCustomer(deps.store, owner, { username: input.username, password: input.password, timezone: input.timezone, profile: { email: input.email } });
    if (created === 'taken') throw new ApiError('bad_request', ['error in username: username exists']);
    return sendV3(reply, 200, { username: created.username, user_id: created.id, email: input.email, credit_allocation: { type: 'unlimited' } });
  });

  app.get('/subusers', async (request, reply) => {
    const owner = await reseller(request);
    const q = parseSubuserList(collectParams(request.query as Record<string, unknown>));
    const page = await deps.store.listCustomers(owner.id, { filters: q.username === undefined ? {} : { username: q.username }, limit: q.limit, offset: q.offset });
    // The documented example's key order.
    return sendV3(reply, 200, page.map((r) => ({ disabled: r.disabled, email: r.profile.email, id: r.customer.id, username: r.customer.username })));
  });

  app.patch('/subusers/:name', async (request, reply: FastifyReply) => {
    const owner = await reseller(request);
    const customer = await subuser(request, owner);
    const disabled = parseSubuserPatch(request.body);
    if (!(await deps.store.setCustomerDisabled(customer.username, disabled))) throw new ApiError('not_found', [NOT_FOUND]);
    return reply.code(204).send();
  });

  app.delete('/subusers/:name', async (request, reply: FastifyReply) => {
    const owner = await reseller(request);
    const customer = await subuser(request, owner);
    if (!(await deps.store.deleteCustomer(customer.id, deps.now()))) throw new ApiError('not_found', [NOT_FOUND]);
    return reply.code(204).send();
  });
}
