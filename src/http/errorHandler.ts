// One handler for every error, so validation, parser, framework and storage failures all leave
// in the endpoint's envelope: the legacy one (JSON or XML, by the path's extension) everywhere
// but under /v3/, which has SendGrid's v3 envelope (v3Errors.ts). 5xx details are logged, never
// sent.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, StorageUnavailableError } from '../domain/errors.js';
import { lingerOnClose } from './lingeringClose.js';
import { allowedMethods, wrongMethod } from './paths.js';
import { CONTENT_TYPES, errorRendering, formatOfUrl, serialize } from './render.js';
import { fieldError, sendV3 } from './v3Errors.js';

// Fastify's own client errors, reworded in the legacy style.
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'error in body: request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'error in Content-Type: unsupported media type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'error in Content-Length: does not match the body',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'error in body: is empty',
  FST_ERR_CTP_INVALID_JSON_BODY: 'error in body: is not valid JSON',
  FST_ERR_BAD_URL: 'error in path: is not a valid URL',
};

export const isV3 = (url: string): boolean => url === '/v3' || url.startsWith('/v3/') || url.startsWith('/v3?');

export function sendError(request: FastifyRequest, reply: FastifyReply, err: ApiError): FastifyReply {
  if (err.status === 405) reply.header('allow', allowedMethods(request.url) ?? 'GET, POST');
  if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
  if (isV3(request.url)) {
    if (err.status === 401) reply.header('www-authenticate', 'Bearer realm="mailtally"');
    return sendV3(reply, err.status, { errors: err.messages.map(fieldError) });
  }
  if (err.status === 401 && request.url.startsWith('/webhooks/')) reply.header('www-authenticate', 'Basic realm="mailtally"');
  const format = formatOfUrl(request.url);
  return reply.code(err.status).type(CONTENT_TYPES[format]).send(serialize(format, errorRendering(err.messages)));
}

function asApiError(err: FastifyError | Error): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof StorageUnavailableError) return new ApiError('unavailable', ['error in storage: temporarily unavailable, retry later']);
  const fe = err as FastifyError;
  const status = fe.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = (fe.code && FASTIFY_MESSAGES[fe.code]) || 'error in request: malformed request';
    const kind = status === 413 ? 'too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
    return new ApiError(kind, [message]);
  }
  return new ApiError('internal', ['error in server: internal error']);
}

// After a 413 the rest of the body is read and dropped, within these bounds, so that the client
// receives the answer instead of a connection reset (lingeringClose.ts).
export const DRAIN_AFTER_413 = { maxBytes: 32 * 1024 * 1024, maxMs: 10_000 };

function handle(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const api = asApiError(err);
  if (api.status === 413) {
    reply.header('connection', 'close');
    lingerOnClose(request.raw.socket, DRAIN_AFTER_413);
  }
  if (api.status === 503) request.log.warn({ err }, 'storage unavailable');
  else if (api.status >= 500) request.log.error({ err }, 'unhandled error');
  return sendError(request, reply, api);
}

/** For Fastify's `frameworkErrors` option: errors raised before routing (a malformed URL). */
export const frameworkErrorHandler = (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
  handle(err, request, reply);
};

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(handle);
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, wrongMethod(request.method, request.url) ?? new ApiError('not_found', ['error in path: unknown endpoint'])),
  );
}
