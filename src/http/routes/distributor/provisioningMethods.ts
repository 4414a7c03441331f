// distributor.manage methods for a reseller's customers (SPEC section 9, customer_management.md):
//   method=profile  task=get (the documented filters), set (profile fields), setEmail
//   method=enable | disable   user=…   (disable also takes the table's `username` spelling)
//   method=password           user=…&password=…&confirm_password=…
// The caller is an authenticated reseller (methodCall.ts); a customer that is another
// reseller's, deleted, or unknown answers the same.
import { ApiError } from '../../../domain/errors.js';
import { ParamErrors, single } from '../../../domain/params.js';
import { parseProfileFilters, parseProfileSet, parseSetEmail, passwordPair } from '../../../domain/provisioningParams.js';
import { ownCustomer, setPassword } from '../../../services/provisioning.js';
import type { CustomerRecord } from '../../../store/types.js';
import { ENABLE_USER_NOT_FOUND, profileListing, sendMessage, sendSuccess } from '../../provisioningResponses.js';
import { CONTENT_TYPES, listingBody } from '../../render.js';
import { namedCustomer, requiredParam } from './customerParams.js';
import type { MethodCall, MethodHandler } from './methodCall.js';

/** Customers read per slice of the profile list: the answer streams, memory stays bounded. */
export const PROFILE_SLICE = 500;

async function profile(call: MethodCall) {
  const { deps, reseller, params, format, reply } = call;
  const task = requiredParam(params, 'task');
  if (task === 'get') {
    const { filters, active } = parseProfileFilters(params);
    async function* slices(): AsyncGenerator<readonly CustomerRecord[]> {
      let after: string | null = null;
      for (;;) {
        const page = await deps.store.listCustomers(reseller.id, { filters, active, after, limit: PROFILE_SLICE });
        yield page;
        if (page.length < PROFILE_SLICE) return;
        after = (page[page.length - 1] as CustomerRecord).customer.username;
      }
    }
    return reply.type(CONTENT_TYPES[format]).send(await listingBody(format, profileListing(slices())));
  }
  if (task === 'set' || task === 'setEmail') {
    const customer = await namedCustomer(deps.store, reseller, params);
    const fields = task === 'set' ? parseProfileSet(params) : { email: parseSetEmail(params) };
    await deps.store.updateProfile(customer.id, fields);
    return sendSuccess(reply, format);
  }
  if (task === 'setUsername') {
    throw new ApiError('bad_request', ['error in task: setUsername is not supported (a username names the customer in its webhook URLs and statistics; create a new customer instead)']);
  }
  throw new ApiError('bad_request', ['error in task: must be get, set or setEmail']);
}

function enabling(disabled: boolean): MethodHandler {
  return async ({ deps, reseller, params, format, reply }) => {
    const errors = new ParamErrors();
    // The disable table names the parameter `username`, its example `user`: both are taken.
    const name = single(params, 'user', errors) ?? (disabled ? single(params, 'username', errors) : undefined);
    errors.throwIfAny();
    if (name === undefined || name === '') throw new ApiError('bad_request', ['error in user: is required']);
    const customer = await ownCustomer(deps.store, reseller, name);
    // The documented error body of enable/disable is the message alone.
    if (!customer || !(await deps.store.setCustomerDisabled(customer.username, disabled))) return sendMessage(reply, format, 400, ENABLE_USER_NOT_FOUND);
    return sendSuccess(reply, format);
  };
}

async function password({ deps, reseller, params, format, reply }: MethodCall) {
  // SPEC section 3's order: the customer (400 user not found) before the call's parameters.
  const customer = await namedCustomer(deps.store, reseller, params);
  const errors = new ParamErrors();
  const chosen = passwordPair(params, errors);
  errors.throwIfAny();
  if (!(await setPassword(deps.store, customer, chosen as string))) throw new ApiError('bad_request', ['error in user: user not found']);
  return sendSuccess(reply, format);
}

export const provisioningMethods: ReadonlyArray<[string, MethodHandler]> = [
  ['profile', profile],
  ['enable', enabling(false)],
  ['disable', enabling(true)],
  ['password', password],
];
