// v1: /api/distributor.manage.{json,xml} (and the seed's distributor.manageSubuser alias),
// method=stats, GET or POST, parameters from the query string and/or a form body.
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { todayIn } from '../../domain/calendar.js';
import { ApiError, unauthorized, userNotFound } from '../../domain/errors.js';
import { type Params, ParamErrors, collectParams, single } from '../../domain/params.js';
import { parseStatsQuery } from '../../domain/statsQuery.js';
import { answerStats } from '../../services/stats.js';
import type { AppDeps } from '../deps.js';
import { CONTENT_TYPES, type Format, serialize } from '../render.js';
import { renderAnswer } from '../statsResponses.js';

const ENDPOINT = /^distributor\.manage(?:Subuser)?\.(json|xml)$/;
// Every method Fastify routes, so the wrong ones get a 405 in the envelope rather than a 404.
const ALL_METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

/** A credential given twice with different values is simply wrong, not a parameter error. */
function credential(params: Params, name: string): string | undefined {
  const values = params.get(name) ?? [];
  return values.length > 0 && values.every((v) => v === values[0]) ? values[0] : undefined;
}

function required(params: Params, name: string): string {
  const errors = new ParamErrors();
  const value = single(params, name, errors);
  errors.throwIfAny();
  if (value === undefined) throw new ApiError('bad_request', [`error in ${name}: is required`]);
  return value;
}

export async function legacyRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(formbody);

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const match = ENDPOINT.exec((request.params as { '*': string })['*']);
    if (!match) throw new ApiError('not_found', ['error in path: unknown endpoint']);
    if (request.method !== 'GET' && request.method !== 'POST') {
      throw new ApiError('method_not_allowed', ['error in request: HTTP method must be GET or POST']);
    }
    const format = match[1] as Format;
    const params = collectParams(request.query as Record<string, unknown>, request.body as Record<string, unknown> | undefined);

    const reseller = await deps.verifier.verify(credential(params, 'api_user'), credential(params, 'api_key'));
    if (!reseller) throw unauthorized();

    if (required(params, 'method') !== 'stats') throw new ApiError('not_found', ['error in method: unknown method']);
    const customer = await deps.store.findCustomer(required(params, 'user'));
    // Another reseller's customer must look exactly like one that does not exist.
    if (!customer || customer.resellerId !== reseller.id) throw userNotFound();

    const query = parseStatsQuery(params, todayIn(customer.timezone, deps.now()));
    const answer = await answerStats(deps.store, customer, query);
    return reply.type(CONTENT_TYPES[format]).send(serialize(format, renderAnswer(answer)));
  }

  app.route({ method: ALL_METHODS, url: '/api/*', handler: handle });
}
