// One account model, two kinds (SPEC section 8): whatever door a credential came through
// (api_user/api_key parameters, a Bearer key), it resolves to one of these, and which
// customers' statistics it may read is decided here and nowhere else.
import type { Customer, CustomerAccount, Reseller } from '../store/types.js';

export type Account = { kind: 'reseller'; reseller: Reseller } | { kind: 'customer'; customer: Customer };
export type AccountKind = Account['kind'];

/** The one tenancy rule: a reseller reads its own customers, a customer only itself. */
export function mayRead(account: Account, customer: Customer): boolean {
  return account.kind === 'reseller' ? customer.resellerId === account.reseller.id : customer.id === account.customer.id;
}

/** The credentials a customer may present: none until `customer set-key`, none while disabled. */
export function customerKey(account: CustomerAccount | null): { salt: Buffer; hash: Buffer; account: Account } | null {
  if (!account || account.disabled || !account.keySalt || !account.keyHash) return null;
  return { salt: account.keySalt, hash: account.keyHash, account: { kind: 'customer', customer: account.customer } };
}
