// Suppression lists over HTTP (SPEC section 9): events through the webhook, then the v1
// distributor.manage bodies of customer_bounces.md & co. (JSON and XML, get and delete, every
// error), v3 /v3/suppression/* through @sendgrid/client on a listening server, and the tenancy
// rows. Runs on PostgreSQL too (test/postgres/api.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import client from '@sendgrid/client';
import { C1, setCustomerKey } from '../accountHelpers.js';
import { type Fixture, at, fixture, postEvents } from '../helpers.js';

const NOW = new Date('2009-06-22T18:00:00Z');
const CREDS = 'api_user=r1&api_key=key-r1-secret';
const R1_KEY = 'key-r1-secret';
const reason = (email: string) => `host [127.0.0.1] said: 550 5.1.1 unknown or illegal user: ${email}`;

const EVENTS = [
  { event: 'bounce', type: 'bounce', email: 'Email1@domain.com', status: '5.1.1', reason: reason('email1@domain.com'), timestamp: at('2009-06-10T12:40:31Z') },
  { event: 'bounce', email: 'email2@domain2.com', status: '5.1.1', reason: reason('email2@domain2.com'), timestamp: at('2009-06-10T12:40:30Z') },
  { event: 'bounce', email: 'old@domain.com', status: '5.0.0', reason: 'gone', timestamp: at('2009-06-01T19:41:39Z') },
  { event: 'bounce', type: 'blocked', email: 'example@example.com', status: '4.0.0', reason: 'no route to host', timestamp: at('2009-06-10T12:40:30Z') },
  { event: 'spamreport', email: 'email1@domain.com', timestamp: at('2009-06-10T12:40:30Z') },
  { event: 'dropped', reason: 'Invalid', email: 'isaac@hotmail', timestamp: at('2009-06-10T12:40:30Z') },
  { event: 'unsubscribe', email: 'u@example.com', timestamp: at('2009-06-10T12:40:30Z') },
  { event: 'group_unsubscribe', email: 'group@example.com', asm_group_id: 7, timestamp: at('2009-06-10T12:40:30Z') },
];

describe('suppression lists over HTTP', () => {
  let f: Fixture;
  const v1 = async (format: 'json' | 'xml', query: string, creds = CREDS) => {
    const res = await f.app.inject({ method: 'GET', url: `/api/distributor.manage.${format}?${creds}&${query}` });
    return { status: res.statusCode, body: res.body, type: String(res.headers['content-type']) };
  };

  before(async () => {
    f = await fixture(NOW);
    const posted = await postEvents(f.app, EVENTS);
    assert.equal(posted.status, 200);
    // c2 (reseller r2) has a bounce of its own, which r1 must never see.
    await f.store.applyBatch((await f.store.findCustomer('c2'))!, [], [], NOW);
    await setCustomerKey(f.store, 'c1', C1.api_key);
    const url = await f.app.listen({ port: 0, host: '127.0.0.1' });
    client.setApiKey(R1_KEY); // first: setApiKey resets the base URL to SendGrid's
    client.setDefaultRequest('baseUrl', url);
  });
  after(() => f.close());

  test('v1 bounces: the page JSON and XML, newest first, created only with date=1', async () => {
    const plain = await v1('json', 'method=bounces&user=c1&task=get');
    assert.equal(plain.status, 200);
    assert.equal(
      plain.body,
      JSON.stringify([
        { email: 'email1@domain.com', status: '5.1.1', reason: reason('email1@domain.com') },
        { email: 'email2@domain2.com', status: '5.1.1', reason: reason('email2@domain2.com') },
        { email: 'old@domain.com', status: '5.0.0', reason: 'gone' },
      ]),
    );
    const dated = await v1('xml', 'method=bounces&user=c1&task=get&date=1&start_date=2009-06-05');
    assert.match(dated.type, /application\/xml/);
    assert.equal(
      dated.body,
      '<?xml version="1.0" encoding="UTF-8"?><bounces>' +
        `<bounce><email>email1@domain.com</email><status>5.1.1</status><reason>${reason('email1@domain.com')}</reason><created>2009-06-10 12:40:31</created></bounce>` +
        `<bounce><email>email2@domain2.com</email><status>5.1.1</status><reason>${reason('email2@domain2.com')}</reason><created>2009-06-10 12:40:30</created></bounce>` +
        '</bounces>',
    );
    // The pages' own example sends `date=` empty.
    assert.equal((await v1('json', 'method=bounces&user=c1&task=get&date=&days=30')).body.includes('created'), false);
  });

  test('v1 blocks, spamreports, invalidemails, unsubscribes: each page shape; group unsubscribes are not listed', async () => {
    assert.equal(
      (await v1('json', 'method=blocks&user=c1&task=get&date=1')).body,
      '[{"email":"example@example.com","status":"4.0.0","reason":"no route to host","created":"2009-06-10 12:40:30"}]',
    );
    assert.equal(
      (await v1('xml', 'method=blocks&user=c1&task=get')).body,
      '<?xml version="1.0" encoding="UTF-8"?><blocks><block><email>example@example.com</email><status>4.0.0</status><reason>no route to host</reason></block></blocks>',
    );
    assert.equal((await v1('json', 'method=spamreports&user=c1&task=get&date=1')).body, '[{"email":"email1@domain.com","created":"2009-06-10 12:40:30"}]');
    assert.equal(
      (await v1('xml', 'method=spamreports&user=c1&task=get&date=1')).body,
      '<?xml version="1.0" encoding="UTF-8"?><spamreports><spamreport><email>email1@domain.com</email><created>2009-06-10 12:40:30</created></spamreport></spamreports>',
    );
    assert.equal((await v1('json', 'method=invalidemails&user=c1&task=get&date=1')).body, '[{"email":"isaac@hotmail","reason":"Invalid","created":"2009-06-10 12:40:30"}]');
    assert.equal(
      (await v1('xml', 'method=invalidemails&user=c1&task=get')).body,
      '<?xml version="1.0" encoding="UTF-8"?><invalidemails><invalidemail><email>isaac@hotmail</email><reason>Invalid</reason></invalidemail></invalidemails>',
    );
    assert.equal((await v1('json', 'method=unsubscribes&user=c1&task=get')).body, '[{"email":"u@example.com"}]');
    assert.equal(
      (await v1('xml', 'method=unsubscribes&user=c1&task=get&date=1')).body,
      '<?xml version="1.0" encoding="UTF-8"?><unsubscribes><unsubscribe><email>u@example.com</email><created>2009-06-10 12:40:30</created></unsubscribe></unsubscribes>',
    );
    assert.equal((await v1('json', 'method=bounces&user=c1&task=get&days=1')).body, '[]');
    assert.equal((await v1('xml', 'method=bounces&user=c1&task=get&days=1')).body, '<?xml version="1.0" encoding="UTF-8"?><bounces/>');
  });

  test('v1 errors: each in the envelope, in the order credentials → method → user → task → parameters', async () => {
    const cases: Array<[string, number, string[]]> = [
      ['method=bounces&task=get', 400, ['error in user: is required']],
      ['method=bounces&user=nobody&task=get', 400, ['error in user: user not found']],
      ['method=bounces&user=c2&task=get', 400, ['error in user: user not found']],
      ['method=bounces&user=c1', 400, ['error in task: is required']],
      ['method=bounces&user=c1&task=add', 400, ['error in task: must be get or delete']],
      ['method=bounces&user=c1&task=get&date=yes', 400, ['error in date: must be 1']],
      ['method=bounces&user=c1&task=get&days=0', 400, ['error in days: must be an integer from 1 to 1095']],
      ['method=bounces&user=c1&task=get&end_date=2009-06-01', 400, ['error in end_date: requires start_date']],
      ['method=bounces&user=c1&task=delete', 400, ['error in email: is required']],
      ['method=bounce&user=c1&task=get', 404, ['error in method: unknown method']],
    ];
    for (const [query, status, errors] of cases) {
      const res = await v1('json', query);
      assert.equal(res.status, status, query);
      assert.deepEqual(JSON.parse(res.body), { message: 'error', errors }, query);
    }
    const xml = await v1('xml', 'method=bounces&user=c2&task=get');
    assert.equal(xml.body, '<?xml version="1.0" encoding="UTF-8"?><result><message>error</message><errors><error>error in user: user not found</error></errors></result>');
    // A customer's own credentials are not a reseller's: 401 on the reseller API.
    assert.equal((await v1('json', 'method=bounces&user=c1&task=get', `api_user=c1&api_key=${C1.api_key}`)).status, 401);
    assert.equal((await v1('json', 'method=bounces&user=c1&task=get', 'api_user=r2&api_key=key-r2-secret')).body, JSON.stringify({ message: 'error', errors: ['error in user: user not found'] }));
  });

  test('v3 through @sendgrid/client: pages, one address, time filters, the v3 error format', async () => {
    const get = async (url: string, qs: Record<string, unknown> = {}, headers: Record<string, string> = { 'on-behalf-of': 'c1' }) => {
      const [res, body] = await client.request({ method: 'GET', url, qs, headers });
      assert.equal(res.statusCode, 200);
      return body;
    };
    const t1 = at('2009-06-10T12:40:31Z');
    assert.deepEqual(await get('/v3/suppression/bounces'), [
      { created: t1, email: 'email1@domain.com', reason: reason('email1@domain.com'), status: '5.1.1' },
      { created: t1 - 1, email: 'email2@domain2.com', reason: reason('email2@domain2.com'), status: '5.1.1' },
      { created: at('2009-06-01T19:41:39Z'), email: 'old@domain.com', reason: 'gone', status: '5.0.0' },
    ]);
    assert.deepEqual((await get('/v3/suppression/bounces', { limit: 1, offset: 1 })) as unknown[], [
      { created: t1 - 1, email: 'email2@domain2.com', reason: reason('email2@domain2.com'), status: '5.1.1' },
    ]);
    assert.deepEqual(((await get('/v3/suppression/bounces', { start_time: t1 - 1, end_time: t1 - 1 })) as Array<{ email: string }>).map((e) => e.email), ['email2@domain2.com']);
    assert.deepEqual(await get('/v3/suppression/bounces/EMAIL1@domain.com'), [{ created: t1, email: 'email1@domain.com', reason: reason('email1@domain.com'), status: '5.1.1' }]);
    assert.deepEqual(await get('/v3/suppression/bounces/nobody@domain.com'), []);
    assert.deepEqual(await get('/v3/suppression/spam_reports'), [{ created: t1 - 1, email: 'email1@domain.com', ip: '' }]);
    assert.deepEqual(await get('/v3/suppression/invalid_emails'), [{ created: t1 - 1, email: 'isaac@hotmail', reason: 'Invalid' }]);
    assert.deepEqual(await get('/v3/suppression/unsubscribes'), [{ created: t1 - 1, email: 'u@example.com' }]);
    assert.deepEqual(await get('/v3/suppression/blocks'), [{ created: t1 - 1, email: 'example@example.com', reason: 'no route to host', status: '4.0.0' }]);

    const refused = async (request: Parameters<typeof client.request>[0]) => {
      try {
        await client.request(request);
      } catch (err) {
        const e = err as { code: number; response: { body: unknown } };
        return { code: e.code, body: e.response.body };
      }
      assert.fail('expected an error answer');
    };
    assert.deepEqual(await refused({ method: 'GET', url: '/v3/suppression/bounces', qs: { limit: 501 }, headers: { 'on-behalf-of': 'c1' } }), {
      code: 400,
      body: { errors: [{ field: 'limit', message: 'must be an integer from 1 to 500' }] },
    });
    assert.deepEqual(await refused({ method: 'GET', url: '/v3/suppression/bounces', qs: { start_time: 10, end_time: 5 }, headers: { 'on-behalf-of': 'c1' } }), {
      code: 400,
      body: { errors: [{ field: 'start_time', message: 'must not be after end_time' }] },
    });
    assert.deepEqual(await refused({ method: 'DELETE', url: '/v3/suppression/bounces', body: { delete_all: true, emails: ['a@b.c'] }, headers: { 'on-behalf-of': 'c1' } }), {
      code: 400,
      body: { errors: [{ field: 'delete_all', message: 'cannot be combined with emails' }] },
    });
    assert.equal((await refused({ method: 'GET', url: '/v3/suppression/bogus', headers: { 'on-behalf-of': 'c1' } })).code, 404);
    // Bodies that are not what SendGrid documents: a clear 400 each, nothing deleted.
    const base = String((client as unknown as { defaultRequest: { baseUrl: string } }).defaultRequest.baseUrl);
    const raw = async (body: string) => {
      const res = await fetch(`${base}/v3/suppression/bounces`, { method: 'DELETE', headers: { authorization: `Bearer ${R1_KEY}`, 'on-behalf-of': 'c1', 'content-type': 'application/json' }, body });
      return { status: res.status, body: await res.json() };
    };
    assert.deepEqual(await raw('{"emails":'), { status: 400, body: { errors: [{ field: null, message: 'is not valid JSON' }] } });
    assert.deepEqual(await raw('[]'), { status: 400, body: { errors: [{ field: null, message: 'must be a JSON object with delete_all or emails' }] } });
    assert.deepEqual(await raw('{}'), { status: 400, body: { errors: [{ field: 'emails', message: 'is required unless delete_all is true' }] } });
    assert.deepEqual(await raw('{"emails":[1]}'), { status: 400, body: { errors: [{ field: 'emails', message: 'must be an array of strings' }] } });
    assert.deepEqual(await raw('{"delete_all":"yes"}'), { status: 400, body: { errors: [{ field: 'delete_all', message: 'must be a boolean' }] } });
    assert.equal((await raw(JSON.stringify({ emails: Array.from({ length: 1001 }, (_, i) => `a${i}@x.y`) }))).status, 400);
    assert.equal((await get('/v3/suppression/bounces')).length, 3, 'nothing was deleted');
  });

  test('tenancy: own customer, another reseller\'s (same as unknown), customer keys, no subuser named', async () => {
    const status = async (headers: Record<string, string>, key = R1_KEY) => {
      const res = await fetch(`${String((client as unknown as { defaultRequest: { baseUrl: string } }).defaultRequest.baseUrl)}/v3/suppression/bounces`, {
        headers: { authorization: `Bearer ${key}`, ...headers },
      });
      return { status: res.status, body: await res.json() };
    };
    assert.equal((await status({ 'on-behalf-of': 'c1' })).status, 200);
    const other = await status({ 'on-behalf-of': 'c2' });
    assert.deepEqual(other, await status({ 'on-behalf-of': 'nobody' }));
    assert.deepEqual(other, { status: 400, body: { errors: [{ field: 'on-behalf-of', message: 'subuser not found' }] } });
    assert.equal((await status({})).status, 400);
    assert.equal((await status({}, C1.api_key)).status, 200);
    assert.equal((await status({}, C1.api_key)).body.length, 3);
    assert.equal((await status({ 'on-behalf-of': 'c2' }, C1.api_key)).status, 403);
    assert.equal((await status({ 'on-behalf-of': 'c1' }, 'wrong-key')).status, 401);
  });

  test('dashboard tabs: address order with prefix search and keyset pages, CSV, the same gate as every customer page', async () => {
    const login = await f.app.inject({ method: 'POST', url: '/dashboard/login', payload: { api_user: 'r1', api_key: 'key-r1-secret' } });
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    const get = (url: string) => f.app.inject({ url, headers: { cookie } });
    const first = (await get('/dashboard/api/customers/c1/suppressions/bounces?limit=2')).json();
    assert.deepEqual(first.entries.map((e: { email: string }) => e.email), ['email1@domain.com', 'email2@domain2.com']);
    assert.equal(first.next, 'email2@domain2.com');
    assert.deepEqual(first.entries[0], { email: 'email1@domain.com', status: '5.1.1', reason: reason('email1@domain.com'), first_added: at('2009-06-10T12:40:31Z'), created: at('2009-06-10T12:40:31Z') });
    const second = (await get(`/dashboard/api/customers/c1/suppressions/bounces?limit=2&after_email=${first.next}`)).json();
    assert.deepEqual(second, { list: 'bounces', entries: [{ email: 'old@domain.com', status: '5.0.0', reason: 'gone', first_added: at('2009-06-01T19:41:39Z'), created: at('2009-06-01T19:41:39Z') }], next: null });
    const found = (await get('/dashboard/api/customers/c1/suppressions/bounces?email=EMAIL2')).json();
    assert.deepEqual(found.entries.map((e: { email: string }) => e.email), ['email2@domain2.com']);
    const csv = await get('/dashboard/api/customers/c1/suppressions/bounces/csv?email=o');
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.equal(csv.body, 'email,status,reason,first_added,created\r\nold@domain.com,5.0.0,gone,2009-06-01 19:41:39,2009-06-01 19:41:39\r\n');
    const other = await get('/dashboard/api/customers/c2/suppressions/bounces');
    assert.equal(other.statusCode, 400);
    assert.deepEqual(other.json(), (await get('/dashboard/api/customers/nobody/suppressions/bounces')).json());
    assert.equal((await get('/dashboard/api/customers/c1/suppressions/nolist')).statusCode, 404);
    assert.equal((await get('/dashboard/api/customers/c1/suppressions/bounces?limit=0')).statusCode, 400);
    assert.equal((await f.app.inject({ url: '/dashboard/api/customers/c1/suppressions/bounces' })).statusCode, 401);
  });

  test('the lists at /apiv2/reseller.manage too: the URL customer_bounces.md (v1 and v2 pages) calls', async () => {
    // customer_bounces.md's own calls are `apiv2/reseller.manage.{json,xml}?…&method=bounces&…`;
    // the answers are the distributor.manage ones, with the same tenancy and errors.
    const v2 = async (format: 'json' | 'xml', query: string) => {
      const res = await f.app.inject({ method: 'POST', url: `/apiv2/reseller.manage.${format}`, payload: `${CREDS}&${query}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      return { status: res.statusCode, body: res.body };
    };
    for (const [format, query] of [
      ['json', 'method=bounces&user=c1&task=get&date=1'],
      ['xml', 'method=bounces&user=c1&task=get&date=1'],
      ['json', 'method=spamreports&user=c1&task=get&date=1'],
      ['xml', 'method=invalidemails&user=c1&task=get'],
      ['json', 'method=unsubscribes&user=c1&task=get'],
      ['json', 'method=blocks&user=c1&task=get'],
      ['json', 'method=bounces&user=c1&task=delete&email=nobody@domain.com'],
      ['json', 'method=bounces&user=c2&task=get'],
      ['json', 'method=bounces&user=c1&task=list'],
    ] as const) {
      const want = await v1(format, query);
      const got = await v2(format, query);
      assert.deepEqual({ status: got.status, body: got.body }, { status: want.status, body: want.body }, `${format} ${query}`);
    }
    assert.equal((await v2('json', 'method=bounces&user=c2&task=get')).body, '{"message":"error","errors":["error in user: user not found"]}');
    assert.equal((await v2('json', 'method=bounces&user=c1&task=delete&email=nobody@domain.com')).body, '{"message":"Email does not exist"}');
  });

  test('v3 /suppression/spam_report/{email} (singular), the path the SDKs call (sendgrid-nodejs, -python, -go, -csharp examples)', async () => {
    const headers = { 'on-behalf-of': 'c1' };
    const [plural] = await client.request({ method: 'GET', url: '/v3/suppression/spam_reports/email1@domain.com', headers });
    const [single] = await client.request({ method: 'GET', url: '/v3/suppression/spam_report/email1@domain.com', headers });
    assert.equal(single.statusCode, 200);
    assert.deepEqual(single.body, plural.body);
    assert.deepEqual(single.body, [{ created: at('2009-06-10T12:40:30Z'), email: 'email1@domain.com', ip: '' }]);
    await assert.rejects(client.request({ method: 'DELETE', url: '/v3/suppression/spam_report/x@y.z', headers }), (e: { code: number }) => e.code === 404);
    // Only the one-address form has the singular name; the list stays plural, as SendGrid's.
    await assert.rejects(client.request({ method: 'GET', url: '/v3/suppression/spam_report', headers }), (e: { code: number }) => e.code === 404);
  });

  test('v1 unsubscribes task=add (customer_unsubscribes.md "Add Unsubscribes"): success, then "Email already exists"', async () => {
    // The page's call: method=unsubscribes&user=…&task=add&email=unsubscribe@sample.com.
    const added = await v1('json', 'method=unsubscribes&user=c1&task=add&email=Unsubscribe@sample.com');
    assert.deepEqual(added, { status: 200, body: '{"message":"success"}', type: 'application/json; charset=utf-8' });
    const again = await v1('xml', 'method=unsubscribes&user=c1&task=add&email=unsubscribe@sample.com');
    assert.equal(again.status, 200);
    assert.equal(again.body, '<?xml version="1.0" encoding="UTF-8"?><result><message>Email already exists</message></result>');
    assert.equal((await v1('json', 'method=unsubscribes&user=c1&task=add&email=u@example.com')).body, '{"message":"Email already exists"}');
    // Listed from now on (created = the time of the call), in v1 and v3, and deletable as any other.
    assert.equal((await v1('json', 'method=unsubscribes&user=c1&task=get&date=1')).body, '[{"email":"unsubscribe@sample.com","created":"2009-06-22 18:00:00"},{"email":"u@example.com","created":"2009-06-10 12:40:30"}]');
    const [v3] = await client.request({ method: 'GET', url: '/v3/suppression/unsubscribes/unsubscribe@sample.com', headers: { 'on-behalf-of': 'c1' } });
    assert.deepEqual(v3.body, [{ created: NOW.getTime() / 1000, email: 'unsubscribe@sample.com' }]);
    assert.equal((await v1('json', 'method=unsubscribes&user=c1&task=delete&email=unsubscribe@sample.com')).body, '{"message":"success"}');
    // Errors: the address is required and checked; another reseller's customer is unknown; only
    // the unsubscribes page has an add.
    const errors: Array<[string, string]> = [
      ['method=unsubscribes&user=c1&task=add', 'error in email: is required'],
      ['method=unsubscribes&user=c1&task=add&email=not-an-address', 'error in email: is not an email address'],
      ['method=unsubscribes&user=c2&task=add&email=a@b.c', 'error in user: user not found'],
      ['method=unsubscribes&user=c1&task=set', 'error in task: must be get, delete or add'],
      ['method=spamreports&user=c1&task=add&email=a@b.c', 'error in task: must be get or delete'],
    ];
    for (const [query, error] of errors) assert.deepEqual(await v1('json', query).then((r) => [r.status, r.body]), [400, JSON.stringify({ message: 'error', errors: [error] })], query);
    assert.equal((await v1('json', 'method=unsubscribes&user=c1&task=get')).body, '[{"email":"u@example.com"}]', 'nothing added by the refused calls');
  });

  test('deletes: v1 success and "Email does not exist", v3 one (204/404), several and all; a deleted address comes back on its next event', async () => {
    assert.equal((await v1('json', 'method=bounces&user=c1&task=delete&email=Email2@domain2.com')).body, '{"message":"success"}');
    const again = await v1('xml', 'method=bounces&user=c1&task=delete&email=email2@domain2.com');
    assert.equal(again.status, 200);
    assert.equal(again.body, '<?xml version="1.0" encoding="UTF-8"?><result><message>Email does not exist</message></result>');
    assert.equal((await v1('json', 'method=bounces&user=c1&task=delete&email=email2@domain2.com')).body, '{"message":"Email does not exist"}');

    const headers = { 'on-behalf-of': 'c1' };
    const [one] = await client.request({ method: 'DELETE', url: '/v3/suppression/bounces/old@domain.com', headers });
    assert.equal(one.statusCode, 204);
    await assert.rejects(client.request({ method: 'DELETE', url: '/v3/suppression/bounces/old@domain.com', headers }), (e: { code: number }) => e.code === 404);
    const [several] = await client.request({ method: 'DELETE', url: '/v3/suppression/spam_reports', body: { emails: ['email1@domain.com', 'x@y.z'] }, headers });
    assert.equal(several.statusCode, 204);
    assert.equal((await v1('json', 'method=spamreports&user=c1&task=get')).body, '[]');
    const [all] = await client.request({ method: 'DELETE', url: '/v3/suppression/bounces', body: { delete_all: true }, headers });
    assert.equal(all.statusCode, 204);
    assert.equal((await v1('json', 'method=bounces&user=c1&task=get')).body, '[]');
    assert.equal((await v1('json', 'method=blocks&user=c1&task=get')).body.includes('example@example.com'), true, 'other lists keep theirs');

    // The same event again is a retry (deduplicated): nothing comes back. A new bounce does.
    assert.equal((await postEvents(f.app, [EVENTS[1]])).body.duplicates, 1);
    assert.equal((await v1('json', 'method=bounces&user=c1&task=get')).body, '[]');
    await postEvents(f.app, [{ ...EVENTS[1], timestamp: at('2009-06-21T08:00:00Z'), reason: 'again' }]);
    assert.equal((await v1('json', 'method=bounces&user=c1&task=get&date=1')).body, '[{"email":"email2@domain2.com","status":"5.1.1","reason":"again","created":"2009-06-21 08:00:00"}]');
  });
});
