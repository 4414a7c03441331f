// Answers to requests Node's HTTP parser refuses before any route runs: 431 (a URL or headers
// over 16 KB), 400 (malformed HTTP), 408 (not complete within the request timeout), 413 (chunk
// extensions too large). Node (and Fastify's default handler) would write a bare or Fastify-shaped
// answer; these leave in the endpoint's envelope like every other answer — XML for paths ending
// .xml, SendGrid's v3 shape under /v3, the legacy JSON elsewhere — with the path read from the
// request line when the parser got that far.
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { isV3 } from './errorHandler.js';
import { lingeringEnd } from './lingeringClose.js';
import { CONTENT_TYPES, errorRendering, formatOfUrl, serialize } from './render.js';
import { fieldError } from './v3Errors.js';

interface ClientError {
  code?: string;
  /** The bytes the parser was given when it failed (parse errors only). */
  rawPacket?: Buffer;
}

const BY_CODE: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: 'error in request: the URL and headers may take at most 16 KB' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'error in request: not received in time' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, message: 'error in body: chunk extensions are too large' },
};
const MALFORMED = { status: 400, message: 'error in request: malformed HTTP request' };

/** The request target of the first request line in `raw`, when there is one. */
export function requestTarget(raw: Buffer | undefined): string | undefined {
  if (!raw) return undefined;
  const line = raw.subarray(0, 64 * 1024).toString('latin1');
  return /^[A-Za-z]+ (\/[^\s]*)/.exec(line)?.[1];
}

/** The whole answer (status line, headers, body) to a client error, in `url`'s envelope. */
export function clientErrorAnswer(code: string | undefined, url: string | undefined): { status: number; text: string } {
  const { status, message } = (code && BY_CODE[code]) || MALFORMED;
  const target = url ?? '/';
  let type = CONTENT_TYPES.json;
  let body: string;
  if (isV3(target)) body = serialize('json', { json: { errors: [fieldError(message)] }, xml: {} });
  else {
    const format = formatOfUrl(target);
    type = CONTENT_TYPES[format];
    body = serialize(format, errorRendering([message]));
  }
  const head = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  return { status, text: head + body };
}

// After answering, what the client still sends is read and dropped for a moment, so the answer
// is not lost to a connection reset (lingeringClose.ts).
const LINGER = { maxBytes: 1024 * 1024, maxMs: 2_000 };
const answered = new WeakSet<Socket>();

/** For Fastify's `clientErrorHandler` option (Node's 'clientError' event). */
export function clientErrorHandler(error: Error, socket: Socket): void {
  const err = error as ClientError;
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || socket.destroyed) return;
  // Node reports every further parse failure on the same socket again: answer once.
  if (answered.has(socket)) return;
  answered.add(socket);
  const pending = (socket as Socket & { _httpMessage?: { headersSent: boolean; req?: { url?: string } } })._httpMessage;
  if (pending?.headersSent || !socket.writable) {
    socket.destroy();
    return;
  }
  const { text } = clientErrorAnswer(err.code, requestTarget(err.rawPacket) ?? pending?.req?.url);
  socket.write(text);
  // A request already handed to the app (a body too slow) is cut at once, as Node does; otherwise
  // the connection lingers briefly so the answer is read.
  if (pending) socket.destroySoon();
  else lingeringEnd(socket, LINGER);
}
