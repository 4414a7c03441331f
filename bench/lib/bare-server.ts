// The HTTP baseline: a bare node:http server answering every request with one fixed body (same
// size and content type as the real answer), keep-alive on. Prints its URL as the real server
// does. Usage: node --import tsx bench/lib/bare-server.ts <body file> <content type> [processes]
// With processes > 1 it runs that many node:cluster workers on one port, the baseline of
// `serve --workers N`.
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const [bodyFile, contentType, processes = '1'] = process.argv.slice(2) as [string, string, string?];
const workers = Number(processes);

if (workers > 1 && cluster.isPrimary) {
  const forked = Array.from({ length: workers }, () => cluster.fork());
  let ready = 0;
  for (const w of forked) {
    w.on('message', (m: { url?: string }) => {
      if (m.url && ++ready === workers) process.stdout.write(`${JSON.stringify({ url: m.url })}\n`);
    });
  }
  process.once('SIGTERM', () => {
    for (const w of forked) w.process.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const body = readFileSync(bodyFile);
  const headers = { 'content-type': contentType, 'content-length': String(body.length) };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, headers);
      res.end(body);
    });
  });
  server.keepAliveTimeout = 5_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    if (cluster.isWorker) process.send?.({ url });
    else process.stdout.write(`${JSON.stringify({ url })}\n`);
  });
  process.once('SIGTERM', () => process.exit(0));
}
