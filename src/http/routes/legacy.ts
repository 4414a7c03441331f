// The legacy reseller stats calls, method=stats, GET or POST, parameters from the query string
// and/or a form body (urlencoded or multipart, formBodies.ts):
//   v1  /api/distributor.manage.{json,xml}   (and the seed's distributor.manageSubuser alias)
//   v2  /apiv2/reseller.manage.{json,xml}    (and reseller.manageSubuser)
// Both generations take the same parameters, make the same checks in SPEC section 3's order —
// credentials (401) → method (400/404) → user (400) → the call's parameters — and answer from
// the same rollups; only the rows they render differ.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { todayIn } from '../../domain/calendar.js';
import { ApiError, userNotFound } from '../../domain/errors.js';
import { type Params, ParamErrors, collectParams, single } from '../../domain/params.js';
import { type Metric, V1_METRICS } from '../../domain/metrics.js';
import { parseStatsQuery } from '../../domain/statsQuery.js';
import { V2_METRICS } from '../../domain/v2Fields.js';
import { type StatsAnswer, answerStats } from '../../services/stats.js';
import type { AppDeps } from '../deps.js';
import { acceptFormBodies } from '../formBodies.js';
import { CONTENT_TYPES, type Format, listingBody, serialize } from '../render.js';
import { type RenderedAnswer, renderAnswer } from '../statsResponses.js';
import { renderV2Answer } from '../v2Responses.js';
import type { MethodHandler } from './distributor/methodCall.js';
import { distributorMethods } from './distributor/methods.js';
import { suppressionMethods } from './distributor/suppressionMethods.js';

export interface LegacyGeneration {
  /** Route prefix; the file name after it is matched by `endpoint`. */
  prefix: string;
  endpoint: RegExp;
  /** The stored metrics its rows show: only these are read. */
  metrics: readonly Metric[];
  render(answer: StatsAnswer): RenderedAnswer;
  /** Methods other than `stats` this generation serves (v1: SPEC section 9; v2: the lists). */
  otherMethods?: ReadonlyMap<string, MethodHandler>;
}

export const V1: LegacyGeneration = {
  prefix: '/api',
  endpoint: /^distributor\.manage(?:Subuser)?\.(json|xml)$/,
  metrics: V1_METRICS,
  render: renderAnswer,
  otherMethods: distributorMethods,
};
export const V2: LegacyGeneration = {
  prefix: '/apiv2',
  endpoint: /^reseller\.manage(?:Subuser)?\.(json|xml)$/,
  metrics: V2_METRICS,
  render: renderV2Answer,
  // The suppression-list pages call this URL: customer_bounces.md (v1, deprecated) shows
  // `apiv2/reseller.manage.{json,xml}?…&method=bounces&task=get|delete`, and the v2 pages
  // (Reseller_API/customer_bounces.md & co.) the same. Provisioning stays v1-only (SPEC 9).
  otherMethods: new Map(suppressionMethods),
};

/** A credential given twice with different values is simply wrong, not a parameter error. */
export function credential(params: Params, name: string): string | undefined {
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

export async function legacyRoutes(app: FastifyInstance, opts: AppDeps & { generation: LegacyGeneration }): Promise<void> {
  const { generation, ...deps } = opts;
  // Parameters come from the query string or a form body only (SPEC section 3, and multipart
  // since issue 11); any other body type is refused with 415 rather than half-read.
  await acceptFormBodies(app);

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const match = generation.endpoint.exec((request.params as { '*': string })['*']);
    if (!match) throw new ApiError('not_found', ['error in path: unknown endpoint']);
    const format = match[1] as Format;
    const params = collectParams(request.query as Record<string, unknown>, request.body as Record<string, unknown> | undefined);

    const reseller = await deps.verifier.authenticate(credential(params, 'api_user'), credential(params, 'api_key'), request.ip);
    const method = required(params, 'method');
    if (method !== 'stats') {
      const other = generation.otherMethods?.get(method);
      if (!other) throw new ApiError('not_found', ['error in method: unknown method']);
      return other({ deps, reseller, params, format, request, reply });
    }
    const customer = await deps.store.findCustomer(required(params, 'user'));
    // Another reseller's customer must look exactly like one that does not exist.
    if (!customer || customer.resellerId !== reseller.id) throw userNotFound();

    const query = parseStatsQuery(params, todayIn(customer.timezone, deps.now()));
    // The resolved query (days, not the raw parameters: "today" moves with the clock and the
    // customer's time zone), the generation and the format are all an answer depends on.
    const cache = deps.store.answers;
    const key = cache ? `${generation.prefix}|${format}|${JSON.stringify(query)}` : '';
    const stamp = cache?.stamp(customer.id);
    const held = cache?.find(customer.id, key);
    if (held) return reply.type(held.type).send(held.body);

    const answer = await answerStats(deps.store, customer, query, generation.metrics);
    const rendered = generation.render(answer);
    const body = 'whole' in rendered ? serialize(format, rendered.whole) : await listingBody(format, rendered.listing);
    // Large answers are streamed (a Readable) and never kept.
    if (cache && stamp && typeof body === 'string') cache.keep(customer.id, key, stamp, { body, type: CONTENT_TYPES[format] });
    return reply.type(CONTENT_TYPES[format]).send(body);
  }

  // Other methods fall through to the not-found handler, which answers 405 for these paths.
  app.route({ method: ['GET', 'POST'], url: `${generation.prefix}/*`, handler: handle });
}
