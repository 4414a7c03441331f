// v3 `/v3/suppression/{bounces,blocks,invalid_emails,spam_reports,unsubscribes}` (SPEC section
// 9; SendGrid's tsg_suppressions_v3.yaml): GET a page (`start_time`/`end_time`/`limit`/`offset`),
// GET one address, DELETE one, DELETE several or all (`{"emails":[…]}` / `{"delete_all":true}`).
// Whose lists: a customer's own Bearer key reads its own (on-behalf-of refused, as on /v3/stats);
// a reseller's key names the customer in `on-behalf-of`, another reseller's customer answering
// exactly as an unknown one. Registered under /v3, so errors leave in the v3 envelope.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mayRead } from '../../auth/account.js';
import { type BearerVerifier, bearerKey } from '../../auth/bearer.js';
import { ApiError, badParam, paramMessage } from '../../domain/errors.js';
import { collectParams } from '../../domain/params.js';
import { type SuppressionEntry, type SuppressionList, normalizeAddress } from '../../domain/suppression.js';
import { parseV3DeleteBody, parseV3ListQuery } from '../../domain/suppressionQuery.js';
import { offsetPage } from '../../services/suppressionLists.js';
import type { Customer } from '../../store/types.js';
import type { AppDeps } from '../deps.js';
import { V3_BAD_CREDENTIALS, sendV3 } from '../v3Errors.js';

export interface V3SuppressionDeps extends AppDeps {
  bearer: BearerVerifier;
}

const PATHS: Record<string, SuppressionList> = {
  bounces: 'bounces',
  blocks: 'blocks',
  invalid_emails: 'invalid_emails',
  spam_reports: 'spam_reports',
  unsubscribes: 'unsubscribes',
};

/**
 * One address: the same lists, plus `spam_report/{email}`, the path SendGrid's generated SDK
 * examples call for one spam report (sendgrid-nodejs/-python/-go/-csharp
 * `suppression/spam_report/{email}`, GET and DELETE), while the list itself is `spam_reports`.
 */
const ONE_PATHS: Record<string, SuppressionList> = { ...PATHS, spam_report: 'spam_reports' };

/** 1,000 addresses of 320 characters, quoted, fit well inside this. */
const DELETE_BODY_LIMIT = 512 * 1024;

/** The fields of SendGrid's answer for each list, in its examples' order. */
function v3Row(list: SuppressionList, e: SuppressionEntry): Record<string, unknown> {
  switch (list) {
    case 'bounces':
    case 'blocks':
      return { created: e.created, email: e.email, reason: e.reason, status: e.status };
    case 'invalid_emails':
      return { created: e.created, email: e.email, reason: e.reason };
    case 'spam_reports':
      // SendGrid shows the sending IP; spam report events do not carry it, so it is empty.
      return { created: e.created, email: e.email, ip: '' };
    default:
      return { created: e.created, email: e.email };
  }
}

export async function v3SuppressionRoutes(app: FastifyInstance, deps: V3SuppressionDeps): Promise<void> {
  // @sendgrid/client sends `Content-Type: application/json` with an empty body on a DELETE of one
  // address: an empty body is no body here, anything else must be JSON.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text as string));
    } catch {
      done(new ApiError('bad_request', ['error in body: is not valid JSON']), undefined);
    }
  });
  async function whose(request: FastifyRequest): Promise<Customer> {
    const owner = await deps.bearer.authenticate(bearerKey(request.headers.authorization), request.ip);
    if (!owner) throw new ApiError('unauthorized', [V3_BAD_CREDENTIALS]);
    const named = request.headers['on-behalf-of'];
    if (owner.kind === 'customer') {
      if (named !== undefined) throw new ApiError('forbidden', [paramMessage('on-behalf-of', 'is only for parent accounts; a subuser key reads its own lists')]);
      return owner.customer;
    }
    if (named === undefined || named === '') throw badParam('on-behalf-of', "is required (the subuser's username): a parent account has no lists of its own");
    if (typeof named !== 'string') throw badParam('on-behalf-of', 'must be given only once');
    const customer = await deps.store.findCustomer(named);
    if (!customer || !mayRead(owner, customer)) throw badParam('on-behalf-of', 'subuser not found');
    return customer;
  }

  const listOf = (request: FastifyRequest, paths: Record<string, SuppressionList> = PATHS): SuppressionList => {
    const name = (request.params as { list: string }).list;
    if (!Object.hasOwn(paths, name)) throw new ApiError('not_found', ['error in path: unknown endpoint']);
    return paths[name] as SuppressionList;
  };
  const emailOf = (request: FastifyRequest): string => {
    const email = normalizeAddress((request.params as { email: string }).email);
    if (email === null) throw badParam('email', 'is not an email address');
    return email;
  };

  app.get('/suppression/:list', async (request, reply) => {
    const list = listOf(request);
    const customer = await whose(request);
    const q = parseV3ListQuery(collectParams(request.query as Record<string, unknown>));
    const page = await offsetPage(deps.store, customer.id, list, q);
    return sendV3(reply, 200, page.map((e) => v3Row(list, e)));
  });

  app.get('/suppression/:list/:email', async (request, reply) => {
    const list = listOf(request, ONE_PATHS);
    const customer = await whose(request);
    const found = await deps.store.suppression(customer.id, list, emailOf(request));
    return sendV3(reply, 200, found ? [v3Row(list, found)] : []);
  });

  app.delete('/suppression/:list/:email', { bodyLimit: DELETE_BODY_LIMIT }, async (request, reply) => {
    const list = listOf(request, ONE_PATHS);
    const customer = await whose(request);
    const deleted = await deps.store.deleteSuppressions(customer.id, list, [emailOf(request)]);
    if (deleted === 0) throw new ApiError('not_found', ['email does not exist']);
    return reply.code(204).send();
  });

  app.delete('/suppression/:list', { bodyLimit: DELETE_BODY_LIMIT }, async (request, reply) => {
    const list = listOf(request);
    const customer = await whose(request);
    await deps.store.deleteSuppressions(customer.id, list, parseV3DeleteBody(request.body));
    return reply.code(204).send();
  });
}
