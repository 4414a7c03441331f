// The HTTP baseline: a bare node:http server answering every request with one fixed body (same
// size and content type as the real answer), keep-alive on. Prints its URL as the real server
// does. Usage: node --import tsx bench/lib/bare-server.ts <body file> <content type>
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const [bodyFile, contentType] = process.argv.slice(2) as [string, string];
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
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => process.exit(0));
