// Bodies of the legacy form-style endpoints (v1 distributor.manage, v2 reseller.manage, and any
// later endpoint of that family): application/x-www-form-urlencoded, and multipart/form-data,
// which is what PHP's curl sends when CURLOPT_POSTFIELDS is given an array. Both become the same
// { name: value | value[] } object, so a route cannot tell them apart; any other body is 415.
// Multipart is read with busboy under fixed limits, and nothing is ever kept but field text.
import type { IncomingMessage } from 'node:http';
import { Busboy, type BusboyHeaders } from '@fastify/busboy';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../domain/errors.js';
import { parseQuery } from './redact.js';

export interface FormLimits {
  /** Whole body, either encoding. */
  bodyBytes: number;
  /** Multipart: fields per body. */
  fields: number;
  /** Multipart: bytes of one field's value. */
  fieldBytes: number;
  /** Multipart: bytes of one part's header block (its Content-Disposition and so on). */
  partHeaderBytes: number;
}

// Legacy calls carry a handful of short parameters (at most 100 categories of at most 255
// characters, keys up to 1 KiB); these bounds leave room for that many times over.
export const FORM_LIMITS: Readonly<FormLimits> = Object.freeze({
  bodyBytes: 1024 * 1024,
  fields: 1000,
  fieldBytes: 64 * 1024,
  partHeaderBytes: 8 * 1024,
});

export type FormFields = Record<string, string[]>;

const tooLarge = (): ApiError => new ApiError('too_large', ['error in body: request body is too large']);

/** Registers both form parsers on `app` (and removes every other one) for its routes. */
export async function acceptFormBodies(app: FastifyInstance, limits: Readonly<FormLimits> = FORM_LIMITS): Promise<void> {
  app.removeAllContentTypeParsers();
  // The same query parser as the router and the log redaction, so every spelling of a secret
  // parameter that authenticates is also one the redaction recognises.
  await app.register(formbody, { bodyLimit: limits.bodyBytes, parser: parseQuery });
  app.addContentTypeParser('multipart/form-data', (request, payload, done) => {
    readMultipart(request, payload, limits).then(
      (fields) => done(null, fields),
      (err: Error) => done(err, undefined),
    );
  });
}

export function readMultipart(request: FastifyRequest, payload: IncomingMessage, limits: Readonly<FormLimits>): Promise<FormFields> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (declared > limits.bodyBytes) return reject(tooLarge());
    // A bare Content-Type with an empty body (curl given an empty array) is a form without fields.
    if (declared === 0) return resolve(Object.create(null) as FormFields);

    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({
        headers: request.headers as BusboyHeaders,
        limits: { fields: limits.fields, fieldSize: limits.fieldBytes, files: 0, parts: limits.fields, headerSize: limits.partHeaderBytes, headerPairs: 20 },
      });
    } catch {
      return reject(new ApiError('bad_request', ['error in Content-Type: multipart/form-data needs a boundary parameter']));
    }

    // Own properties only: a field named __proto__ is just a (meaningless) parameter.
    const fields = Object.create(null) as FormFields;
    let received = 0;
    let settled = false;
    const settle = (err?: ApiError): void => {
      if (settled) return;
      settled = true;
      payload.removeListener('data', count);
      payload.unpipe(parser);
      if (err) reject(err);
      else resolve(fields);
    };
    const count = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limits.bodyBytes) settle(tooLarge());
    };

    parser.on('field', (name, value, _nameTruncated, valueTruncated) => {
      if (valueTruncated) return settle(new ApiError('too_large', [`error in body: a field is longer than ${limits.fieldBytes} bytes`]));
      if (typeof name !== 'string') return; // a part without a name carries no parameter
      (fields[name] ??= []).push(value);
    });
    parser.on('filesLimit', () => settle(new ApiError('bad_request', ['error in body: file uploads are not accepted; send parameters as plain fields'])));
    parser.on('fieldsLimit', () => settle(new ApiError('too_large', [`error in body: at most ${limits.fields} fields`])));
    parser.on('partsLimit', () => settle(new ApiError('too_large', [`error in body: at most ${limits.fields} fields`])));
    parser.on('error', () => settle(new ApiError('bad_request', ['error in body: is not valid multipart/form-data'])));
    parser.on('finish', () => settle());
    payload.on('data', count);
    payload.on('error', () => settle(new ApiError('bad_request', ['error in body: could not be read'])));
    payload.pipe(parser);
  });
}
