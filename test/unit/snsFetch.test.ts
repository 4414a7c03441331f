// The real SNS fetcher against a local HTTPS server (certificate made here): TLS is verified, and
// one fetch is bounded in size and time whatever the other end does.
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { httpsGetText } from '../../src/providers/sns/fetch.js';
import { makeCert } from '../snsTestCert.js';

const tls = makeCert('localhost', 'DNS:localhost,IP:127.0.0.1');

describe('httpsGetText (certificate and SubscribeURL fetches)', () => {
  let base = '';
  const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    if (req.url === '/cert.pem') res.end(tls.certPem);
    else if (req.url === '/huge') {
      res.write(Buffer.alloc(100_000, 'a'));
      res.end();
    } else if (req.url === '/hang') {
      res.write('partial');
    } else {
      res.statusCode = 404;
      res.end('no');
    }
  });

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://localhost:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('returns the body of a 200 over verified TLS', async () => {
    assert.equal(await httpsGetText(`${base}/cert.pem`, { ca: tls.certPem }), tls.certPem);
  });
  test('refuses an untrusted certificate, plain http, a non-200, an oversized or a hanging answer', async () => {
    await assert.rejects(httpsGetText(`${base}/cert.pem`), /self.signed|certificate/i);
    await assert.rejects(httpsGetText(base.replace('https', 'http')), /only https/);
    await assert.rejects(httpsGetText(`${base}/missing`, { ca: tls.certPem }), /HTTP 404/);
    await assert.rejects(httpsGetText(`${base}/huge`, { ca: tls.certPem, maxBytes: 65_536 }), /larger than 65536/);
    const started = Date.now();
    await assert.rejects(httpsGetText(`${base}/hang`, { ca: tls.certPem, timeoutMs: 300 }), /no answer within 300 ms/);
    assert.ok(Date.now() - started < 10_000, 'the timeout bounds the whole exchange');
  });
});
