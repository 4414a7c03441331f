// Connection limits of the real server (issue 10, item 7): one host holding idle connections
// cannot take every file descriptor. Over the per-address cap a new connection is closed at
// once; above 80 % of the total cap the longest-idle connections are closed to make room, so a
// new client is still served. All from 127.0.0.1: the per-address accounting for different
// addresses is in test/unit/connections.test.ts.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type LiveServer, startLiveServer } from '../liveServer.js';

async function openIdle(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Whether the server has closed `socket` (it is read, so a FIN or reset is seen). */
function closedByServer(socket: net.Socket, withinMs: number): Promise<boolean> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), withinMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.resume();
  });
}

async function healthz(url: string): Promise<number | string> {
  return fetch(`${url}/healthz`).then(
    (r) => r.status,
    (e: Error & { cause?: { code?: string } }) => `failed: ${e.cause?.code ?? e.message}`,
  );
}

describe('connection limits of the listening server', () => {
  describe('per address', () => {
    let server: LiveServer;
    const sockets: net.Socket[] = [];
    before(async () => {
      server = await startLiveServer({ MAILTALLY_MAX_CONNECTIONS_PER_IP: '5' });
    });
    after(async () => {
      for (const s of sockets) s.destroy();
      await server.stop();
    });

    test('beyond 5 idle connections from one address, new ones are closed at once; freeing one lets a client in', { timeout: 30_000 }, async () => {
      for (let i = 0; i < 5; i++) sockets.push(await openIdle(server.port));
      const extra = [await openIdle(server.port), await openIdle(server.port), await openIdle(server.port)];
      sockets.push(...extra);
      for (const s of extra) assert.equal(await closedByServer(s, 5_000), true, 'a connection over the per-address cap is closed by the server');
      for (const s of sockets.slice(0, 5)) assert.equal(await closedByServer(s, 100), false, 'the first five stay open');
      assert.match(String(await healthz(server.url)), /^failed/, 'at the cap, even a real request from the same address is refused');

      sockets[0]!.destroy();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await healthz(server.url), 200, 'with a place free, the address is served again');
    });
  });

  describe('in total, under pressure', () => {
    let server: LiveServer;
    const sockets: net.Socket[] = [];
    before(async () => {
      server = await startLiveServer({ MAILTALLY_MAX_CONNECTIONS: '20', MAILTALLY_MAX_CONNECTIONS_PER_IP: '0' });
    });
    after(async () => {
      for (const s of sockets) s.destroy();
      await server.stop();
    });

    test('idle connections beyond 80 % of the cap are closed, oldest first, and a new client is served', { timeout: 30_000 }, async () => {
      // A request in flight is never shed: a body that has not arrived yet keeps it busy.
      const busy = await openIdle(server.port);
      busy.write('POST /api/distributor.manage.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\napi_user=r1');
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < 60; i++) sockets.push(await openIdle(server.port));
      const closed = await Promise.all(sockets.map((s) => closedByServer(s, 3_000)));
      const open = closed.filter((c) => !c).length;
      assert.ok(open <= 16, `at most 80 % of the cap stays open (${open} idle connections open)`);
      assert.deepEqual(closed.slice(0, 40), Array(40).fill(true), 'the oldest idle connections were closed first');
      assert.equal(await closedByServer(busy, 100), false, 'the connection with a request in flight is kept');
      assert.equal(await healthz(server.url), 200);
      busy.destroy();
    });
  });
});
