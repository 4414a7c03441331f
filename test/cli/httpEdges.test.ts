// Answers the HTTP layer gives before any route runs, over raw sockets against the real server
// (issue 10, items 12 and 13): every one in the endpoint's envelope — XML for paths ending .xml,
// SendGrid's v3 shape under /v3, the legacy JSON elsewhere — and a 413 that a client writing its
// whole body before reading actually receives, instead of a connection reset.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { LIVE_AUTH, type LiveServer, type RawAnswer, rawExchange, startLiveServer } from '../liveServer.js';

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';
const legacyXml = (message: string): string => `${XML_DECL}<result><message>error</message><errors><error>${message}</error></errors></result>`;
const MiB = 1024 * 1024;

function assertEnvelope(res: RawAnswer, status: number, format: 'json' | 'xml' | 'v3', message: string): void {
  assert.equal(res.status, status, `${res.headers}\n${res.body.slice(0, 300)} (connection ended: ${res.ended})`);
  assert.match(res.headers, format === 'xml' ? /\r\ncontent-type: application\/xml; charset=utf-8/ : /\r\ncontent-type: application\/json; charset=utf-8/);
  if (format === 'xml') assert.equal(res.body, legacyXml(message));
  else if (format === 'json') assert.deepEqual(JSON.parse(res.body), { message: 'error', errors: [message] });
  else assert.deepEqual(JSON.parse(res.body), { errors: [{ field: null, message: message.replace(/^error in (request|body): /, '') }] });
}

function drainedOrClosed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** Writes `text`, then waits (reading) until the server closes the connection. */
function sendAndWait(port: number, text: string): Promise<RawAnswer> {
  return rawExchange(port, [text], 20_000);
}

describe('answers before routing, in the envelope', () => {
  let server: LiveServer;
  before(async () => {
    server = await startLiveServer({ MAILTALLY_REQUEST_TIMEOUT_SECONDS: '1' });
  });
  after(async () => {
    await server.stop();
  });

  const long = 'x'.repeat(17 * 1024);
  const TOO_LONG = 'error in request: the URL and headers may take at most 16 KB';
  for (const [path, format] of [
    ['/api/distributor.manage.xml', 'xml'],
    ['/api/distributor.manage.json', 'json'],
    ['/apiv2/reseller.manage.xml', 'xml'],
    ['/v3/stats', 'v3'],
  ] as const) {
    test(`431 for a URL over 16 KB on ${path}`, async () => {
      assertEnvelope(await sendAndWait(server.port, `GET ${path}?api_user=${long} HTTP/1.1\r\nHost: x\r\n\r\n`), 431, format, TOO_LONG);
    });
  }

  test('431 for headers over 16 KB', async () => {
    assertEnvelope(await sendAndWait(server.port, `GET /api/distributor.manage.xml HTTP/1.1\r\nHost: x\r\nX-Big: ${long}\r\n\r\n`), 431, 'xml', TOO_LONG);
  });

  const MALFORMED = 'error in request: malformed HTTP request';
  test('400 for malformed HTTP, in the envelope of the path on the request line', async () => {
    assertEnvelope(await sendAndWait(server.port, 'GET /api/distributor.manage.xml HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n'), 400, 'xml', MALFORMED);
    assertEnvelope(await sendAndWait(server.port, 'GET /v3/stats HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'), 400, 'v3', MALFORMED);
    assertEnvelope(await sendAndWait(server.port, 'POST /webhooks/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), 400, 'json', MALFORMED);
  });

  test('400 in the legacy JSON envelope when there is no request line to read', async () => {
    assertEnvelope(await sendAndWait(server.port, '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n'), 400, 'json', MALFORMED);
  });

  const TIMEOUT = 'error in request: not received in time';
  test('408 for a body not received within the request timeout, in its envelope', { timeout: 30_000 }, async () => {
    const form = 'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\napi_user=r1';
    assertEnvelope(await sendAndWait(server.port, `POST /api/distributor.manage.xml HTTP/1.1\r\nHost: x\r\n${form}`), 408, 'xml', TIMEOUT);
    assertEnvelope(await sendAndWait(server.port, `POST /webhooks/events?user=c1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${LIVE_AUTH}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[`), 408, 'json', TIMEOUT);
  });

  test('408 for headers not received within the request timeout (the path is not known yet: legacy JSON)', { timeout: 30_000 }, async () => {
    assertEnvelope(await sendAndWait(server.port, 'GET /api/distributor.manage.xml HTTP/1.1\r\nHost: x\r\n'), 408, 'json', TIMEOUT);
  });

  test('the server still answers afterwards', async () => {
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });
});

describe('413 that the client receives', () => {
  let server: LiveServer;
  before(async () => {
    server = await startLiveServer();
  });
  after(async () => {
    await server.stop();
  });

  const TOO_LARGE = 'error in body: request body is too large';
  const webhookHead = `POST /webhooks/events?user=c1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${LIVE_AUTH}\r\nContent-Type: application/json\r\n`;

  test('a 20 MB webhook body with Content-Length, written whole before reading (as urllib does)', { timeout: 60_000 }, async () => {
    const body = Buffer.alloc(20 * MiB, 0x31);
    const res = await rawExchange(server.port, [`${webhookHead}Content-Length: ${body.length}\r\n\r\n`, body]);
    assertEnvelope(res, 413, 'json', TOO_LARGE);
    assert.match(res.headers, /\r\nconnection: close/);
  });

  // 40 MiB: well past the limit, so the client is still sending long after the 413 was written
  // (with 20 MB the whole body may already be in the server's buffers when it closes).
  test('a 40 MiB chunked webhook body, written whole before reading (as curl -T - does)', { timeout: 60_000 }, async () => {
    const chunk = Buffer.alloc(MiB, 0x31);
    const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    const res = await rawExchange(server.port, [`${webhookHead}Transfer-Encoding: chunked\r\n\r\n`, ...Array<Buffer>(40).fill(framed), '0\r\n\r\n']);
    assertEnvelope(res, 413, 'json', TOO_LARGE);
  });

  test('a 20 MB form body at an .xml statistics endpoint: 413 in XML', { timeout: 60_000 }, async () => {
    const body = Buffer.alloc(20 * MiB, 0x61);
    const res = await rawExchange(server.port, [`POST /api/distributor.manage.xml HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`, body]);
    assertEnvelope(res, 413, 'xml', TOO_LARGE);
  });

  test('what is drained after a 413 is bounded: a client that never stops sending is cut off', { timeout: 60_000 }, async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.pause(); // never reads
    await once(socket, 'connect');
    socket.write(`${webhookHead}Content-Length: ${1024 * MiB}\r\n\r\n`);
    const piece = Buffer.alloc(256 * 1024, 0x31);
    let sent = 0;
    while (!socket.destroyed && sent < 1024 * MiB) {
      sent += piece.length;
      if (!socket.write(piece)) await drainedOrClosed(socket);
    }
    assert.ok(sent < 128 * MiB, `the server stopped reading after ${(sent / MiB).toFixed(0)} MiB`);
  });
});
