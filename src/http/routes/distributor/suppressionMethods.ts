// distributor.manage methods for a customer's suppression lists: bounces, blocks, spamreports,
// invalidemails, unsubscribes (SPEC section 9; the pages customer_bounces.md & co. of
// sendgrid/docs). `task=get` streams the list newest first with the pages' fields (`created`
// only with date=1); `task=delete&email=` answers `{"message":"success"}` or the pages'
// `{"message":"Email does not exist"}`; unsubscribes also take `task=add&email=` (its page's
// "Add Unsubscribes": success or `{"message":"Email already exists"}`). Order of checks: user (400) → task → its parameters.
import { ApiError, paramMessage, userNotFound } from '../../../domain/errors.js';
import { ParamErrors, single } from '../../../domain/params.js';
import type { SuppressionEntry, SuppressionList } from '../../../domain/suppression.js';
import { addressParam, mysqlTime, v1CreatedRange, v1WantsDates } from '../../../domain/suppressionQuery.js';
import { wholeList } from '../../../services/suppressionLists.js';
import { CONTENT_TYPES, type Format, listingBody, serialize } from '../../render.js';
import type { MethodCall, MethodHandler } from './methodCall.js';

interface V1List {
  list: SuppressionList;
  /** XML root and item element names, from the pages. */
  root: string;
  item: string;
  /** Whether the page's rows show `status` and `reason`. */
  status: boolean;
  reason: boolean;
  /** Whether the page documents `task=add` (only customer_unsubscribes.md does). */
  add?: boolean;
}

const LISTS: Record<string, V1List> = {
  bounces: { list: 'bounces', root: 'bounces', item: 'bounce', status: true, reason: true },
  // Not in the v1 pages; mirrors bounces, as SendGrid's blocks do in v3 (SPEC section 9).
  blocks: { list: 'blocks', root: 'blocks', item: 'block', status: true, reason: true },
  spamreports: { list: 'spam_reports', root: 'spamreports', item: 'spamreport', status: false, reason: false },
  invalidemails: { list: 'invalid_emails', root: 'invalidemails', item: 'invalidemail', status: false, reason: true },
  unsubscribes: { list: 'unsubscribes', root: 'unsubscribes', item: 'unsubscribe', status: false, reason: false, add: true },
};

export const EMAIL_DOES_NOT_EXIST = 'Email does not exist';
export const EMAIL_ALREADY_EXISTS = 'Email already exists';
/** A hand-added address must at least look like one (events' addresses are taken as sent). */
const ADDRESS_SHAPE = /^[^@\s]+@[^@\s]+$/;

function row(spec: V1List, e: SuppressionEntry, dates: boolean): Record<string, string> {
  const out: Record<string, string> = { email: e.email };
  if (spec.status) out.status = e.status;
  if (spec.reason) out.reason = e.reason;
  if (dates) out.created = mysqlTime(e.created);
  return out;
}

function message(format: Format, text: string): string {
  return serialize(format, { json: { message: text }, xml: { result: { message: text } } });
}

function handler(spec: V1List): MethodHandler {
  return async ({ deps, reseller, params, format, reply }: MethodCall) => {
    const errors = new ParamErrors();
    const user = single(params, 'user', errors);
    errors.throwIfAny();
    if (user === undefined) throw new ApiError('bad_request', [paramMessage('user', 'is required')]);
    const customer = await deps.store.findCustomer(user);
    // Another reseller's customer must look exactly like one that does not exist.
    if (!customer || customer.resellerId !== reseller.id) throw userNotFound();

    const task = single(params, 'task', errors);
    errors.throwIfAny();
    if (task === 'get') {
      const dates = v1WantsDates(params);
      const range = v1CreatedRange(params, deps.now());
      const body = await listingBody(format, {
        root: spec.root,
        item: spec.item,
        slices: wholeList(deps.store, customer.id, spec.list, range),
        json: (e: SuppressionEntry) => row(spec, e, dates),
        xml: (e: SuppressionEntry) => row(spec, e, dates),
      });
      return reply.type(CONTENT_TYPES[format]).send(body);
    }
    if (task === 'delete') {
      const email = addressParam(params);
      const deleted = await deps.store.deleteSuppressions(customer.id, spec.list, [email]);
      // The pages' "Response: Error" body, with 200: every 4xx of this API carries the error
      // envelope, and this is no fault of the request (the address is simply not listed).
      return reply.type(CONTENT_TYPES[format]).send(message(format, deleted === 0 ? EMAIL_DOES_NOT_EXIST : 'success'));
    }
    if (task === 'add' && spec.add) {
      const email = addressParam(params);
      if (!ADDRESS_SHAPE.test(email)) throw new ApiError('bad_request', [paramMessage('email', 'is not an email address')]);
      const added = await deps.store.addSuppression(customer.id, spec.list, email, Math.floor(deps.now().getTime() / 1000));
      // As for delete: the page's "Response: Error" body with 200, the request itself was fine.
      return reply.type(CONTENT_TYPES[format]).send(message(format, added ? 'success' : EMAIL_ALREADY_EXISTS));
    }
    throw new ApiError('bad_request', [paramMessage('task', task === undefined ? 'is required' : spec.add ? 'must be get, delete or add' : 'must be get or delete')]);
  };
}

export const suppressionMethods: ReadonlyArray<[string, MethodHandler]> = Object.entries(LISTS).map(([method, spec]) => [method, handler(spec)]);
