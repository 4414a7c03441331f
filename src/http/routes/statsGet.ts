// The legacy Web API statistics call a customer's own programs make (SPEC section 8):
//   /api/stats.get.{json,xml}, GET or POST, parameters from the query string and/or a form body
//   (urlencoded or multipart, formBodies.ts).
// The third legacy "generation": v1's parameters, date rules, checks and errors (statsQuery.ts),
// its own rows (15 metrics, statsGetResponses.ts). No `method` and no `user`: the credentials
// alone decide whose statistics these are — a customer's own (with `customer set-key`), or for
// a reseller's credentials the sum over all its customers, in UTC days (SendGrid's
// parent-account view). A `user` parameter is ignored, so it can never reach another tenant.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountKind } from '../../auth/account.js';
import { todayIn } from '../../domain/calendar.js';
import { collectParams } from '../../domain/params.js';
import { STATS_GET_METRICS } from '../../domain/statsGetFields.js';
import { parseStatsQuery } from '../../domain/statsQuery.js';
import { answerFrom, customerSource, resellerSource } from '../../services/stats.js';
import type { AppDeps } from '../deps.js';
import { acceptFormBodies } from '../formBodies.js';
import { CONTENT_TYPES, type Format, listingBody, serialize } from '../render.js';
import { renderStatsGetAnswer } from '../statsGetResponses.js';
import { credential } from './legacy.js';

const EITHER_KIND: readonly AccountKind[] = ['customer', 'reseller'];

export async function statsGetRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await acceptFormBodies(app);

  const handler = (format: Format) => async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const params = collectParams(request.query as Record<string, unknown>, request.body as Record<string, unknown> | undefined);
    const account = await deps.verifier.authenticateAccount(credential(params, 'api_user'), credential(params, 'api_key'), request.ip, EITHER_KIND);
    const [source, zone] =
      account.kind === 'customer'
        ? [customerSource(deps.store, account.customer), account.customer.timezone]
        : [resellerSource(deps.store, account.reseller.id), 'UTC'];
    const query = parseStatsQuery(params, todayIn(zone, deps.now()));
    const rendered = renderStatsGetAnswer(await answerFrom(source, query, STATS_GET_METRICS));
    const body = 'whole' in rendered ? serialize(format, rendered.whole) : await listingBody(format, rendered.listing);
    return reply.type(CONTENT_TYPES[format]).send(body);
  };

  // Static routes: they take precedence over the v1 route's /api/* wildcard.
  for (const format of ['json', 'xml'] as const) app.route({ method: ['GET', 'POST'], url: `/api/stats.get.${format}`, handler: handler(format) });
}
