// The v3 API's error envelope, SendGrid's: {"errors":[{"field":…,"message":…}]}. Errors are
// raised as everywhere else (ApiError, `error in <param>: <what>`) and turned into this shape
// by the one error handler (errorHandler.ts) for paths under /v3/, so the rules stay shared.
import type { FastifyReply } from 'fastify';
import { CONTENT_TYPES, serialize } from './render.js';

export interface FieldError {
  field: string | null;
  message: string;
}

/** SendGrid's own wording for a missing or wrong API key. */
export const V3_BAD_CREDENTIALS = 'Permission denied, wrong credentials';

// `error in <x>` names something other than a parameter or header: SendGrid's field is null.
const NOT_A_FIELD = new Set(['request', 'path', 'body', 'storage', 'server', 'Content-Type', 'Content-Length']);

export function fieldError(message: string): FieldError {
  const m = /^error in ([^:]+): ([\s\S]*)$/.exec(message);
  if (!m) return { field: null, message };
  const [, field, what] = m as unknown as [string, string, string];
  return { field: NOT_A_FIELD.has(field) ? null : field, message: what };
}

/** v3 is JSON only; render.ts stays the one serializer (the XML tree is never built). */
export function sendV3(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(CONTENT_TYPES.json).send(serialize('json', { json: body, xml: {} }));
}
