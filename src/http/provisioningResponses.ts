// The bodies of the v1 provisioning calls, as customer_management.md shows them: success is
// `{"message":"success"}` (`<result><message>success</message></result>`), enable/disable
// answer an unknown customer with `{"message":"User not found"}` alone, and the customer list
// is `[{username, email, active, …}]` (`<users><user>…</user></users>`). Errors of the other
// calls use the legacy envelope (render.ts errorRendering).
import type { FastifyReply } from 'fastify';
import { SEARCHABLE_FIELDS } from '../domain/customerProfile.js';
import type { CustomerRecord } from '../store/types.js';
import { CONTENT_TYPES, type Format, type Listing, serialize } from './render.js';

export function sendMessage(reply: FastifyReply, format: Format, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .type(CONTENT_TYPES[format])
    .send(serialize(format, { json: { message }, xml: { result: { message } } }));
}

export const sendSuccess = (reply: FastifyReply, format: Format): FastifyReply => sendMessage(reply, format, 200, 'success');

/** The documented answer of enable/disable for a customer that is not the caller's. */
export const ENABLE_USER_NOT_FOUND = 'User not found';

// The documented answer's fields, in its order (username, email, active, first_name, last_name,
// address, city, state, zip, country, phone, website), `active` as the text "true"/"false".
const LISTED = ['email', 'first_name', 'last_name', 'address', 'city', 'state', 'zip', 'country', 'phone', 'website'] as const satisfies ReadonlyArray<(typeof SEARCHABLE_FIELDS)[number]>;

function profileRow(r: CustomerRecord): Record<string, string> {
  const row: Record<string, string> = { username: r.customer.username, email: r.profile.email, active: r.disabled ? 'false' : 'true' };
  for (const f of LISTED) if (f !== 'email') row[f] = r.profile[f];
  return row;
}

export function profileListing(slices: AsyncIterable<readonly CustomerRecord[]>): Listing<CustomerRecord> {
  return { root: 'users', item: 'user', slices, json: profileRow, xml: profileRow };
}
