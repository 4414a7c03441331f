// Finding the customer a provisioning call names: the reseller's own, or "not found" — another
// reseller's customer and a deleted one answer exactly as one that never existed (SPEC section 3).
import { type Params, ParamErrors, single } from '../../../domain/params.js';
import { ApiError, userNotFound } from '../../../domain/errors.js';
import { ownCustomer } from '../../../services/provisioning.js';
import type { Customer, Reseller, Store } from '../../../store/types.js';

/** The one value of `name`, or a 400 naming it. */
export function requiredParam(params: Params, name: string): string {
  const errors = new ParamErrors();
  const value = single(params, name, errors);
  errors.throwIfAny();
  if (value === undefined || value === '') throw new ApiError('bad_request', [`error in ${name}: is required`]);
  return value;
}

export async function namedCustomer(store: Store, reseller: Reseller, params: Params, name = 'user'): Promise<Customer> {
  const customer = await ownCustomer(store, reseller, requiredParam(params, name));
  if (!customer) throw userNotFound();
  return customer;
}
