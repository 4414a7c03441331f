// The answers to requests Node's HTTP parser refuses (issue 10, item 12): status by error code,
// envelope by the path on the request line. Over real sockets: test/cli/httpEdges.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clientErrorAnswer, requestTarget } from '../../src/http/clientErrors.js';

const split = (text: string): { head: string; body: string } => {
  const i = text.indexOf('\r\n\r\n');
  return { head: text.slice(0, i), body: text.slice(i + 4) };
};

describe('client error answers', () => {
  test('the request target is read from the first request line, if there is one', () => {
    assert.equal(requestTarget(Buffer.from('GET /api/distributor.manage.xml?a=b HTTP/1.1\r\nHost: x\r\n')), '/api/distributor.manage.xml?a=b');
    assert.equal(requestTarget(Buffer.from('\x16\x03\x01garbage')), undefined);
    assert.equal(requestTarget(Buffer.from('GET http://evil.example/ HTTP/1.1')), undefined);
    assert.equal(requestTarget(undefined), undefined);
  });

  test('status by code, in the envelope of the path, with a correct Content-Length and Connection: close', () => {
    const xml = clientErrorAnswer('HPE_HEADER_OVERFLOW', '/apiv2/reseller.manage.xml?x=1');
    assert.equal(xml.status, 431);
    const { head, body } = split(xml.text);
    assert.match(head, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.match(head, /\r\nContent-Type: application\/xml; charset=utf-8\r\n/);
    assert.match(head, new RegExp(`\\r\\nContent-Length: ${Buffer.byteLength(body)}\\r\\n`));
    assert.match(head, /\r\nConnection: close$/);
    assert.match(body, /^<\?xml version="1\.0" encoding="UTF-8"\?><result><message>error<\/message><errors><error>error in request: /);

    const v3 = clientErrorAnswer('ERR_HTTP_REQUEST_TIMEOUT', '/v3/stats');
    assert.equal(v3.status, 408);
    assert.deepEqual(JSON.parse(split(v3.text).body), { errors: [{ field: null, message: 'not received in time' }] });

    const other = clientErrorAnswer('HPE_INVALID_METHOD', undefined);
    assert.equal(other.status, 400);
    assert.deepEqual(JSON.parse(split(other.text).body), { message: 'error', errors: ['error in request: malformed HTTP request'] });
  });
});
