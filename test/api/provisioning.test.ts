// Issue 14 items 1 and 2, SPEC section 9: v1 distributor.add / distributor.delete /
// distributor.manage (profile, enable, disable, password), golden JSON and XML bodies for every
// call and every error, tenancy (own / other reseller's / deleted / customer credentials), and
// what a created or deleted customer can then do (its password is its api_key).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { C1, setCustomerKey } from '../accountHelpers.js';
import { type Fixture, R1, addReseller, at, fixture, postEvents } from '../helpers.js';
import { PROFILE_SLICE } from '../../src/http/routes/distributor/provisioningMethods.js';

const NOW = new Date('2024-03-10T12:00:00Z');
const R2 = { api_user: 'r2', api_key: 'key-r2-secret' };
const XML = '<?xml version="1.0" encoding="UTF-8"?>';

const PROFILE = {
  email: 'new1@example.com',
  first_name: 'Jo',
  last_name: 'Doe',
  address: '555 any street',
  city: 'any city',
  state: 'CA',
  zip: '91234',
  country: 'US',
  phone: '555-555',
  website: 'example.com',
};

type Creds = { api_user: string; api_key: string };
const form = (creds: Creds, params: Record<string, string | string[]>): string => {
  const s = new URLSearchParams({ ...creds });
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) s.append(k, one);
  return s.toString();
};

describe('v1 provisioning: distributor.add / delete / manage', () => {
  let f: Fixture;
  const call = (path: string, params: Record<string, string | string[]>, creds: Creds = R1) =>
    f.app.inject({ method: 'POST', url: `/api/${path}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form(creds, params) });
  const add = (username: string, extra: Record<string, string | string[]> = {}, format = 'json', creds: Creds = R1) =>
    call(`distributor.add.${format}`, { username, password: `pw-${username}`, confirm_password: `pw-${username}`, ...PROFILE, ...extra }, creds);
  const manage = (params: Record<string, string | string[]>, format = 'json', creds: Creds = R1) => call(`distributor.manage.${format}`, params, creds);
  const statsGet = (creds: Creds) => f.app.inject({ method: 'GET', url: `/api/stats.get.json?${form(creds, { aggregate: '1' })}` });

  before(async () => {
    f = await fixture(NOW);
  });
  after(() => f.close());

  test('add: success bodies in JSON and XML; the password is the new customer’s api_key; its time zone is stored', async () => {
    const json = await add('new1', { timezone: 'Europe/Berlin', company: 'ACME', free_user: 'false', billing_date: '2024-04-10', 'ip[]': ['1.2.3.4'] });
    assert.equal(json.statusCode, 200, json.body);
    assert.equal(json.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(json.body, '{"message":"success"}');
    const xml = await add('new2', {}, 'xml');
    assert.equal(xml.statusCode, 200, xml.body);
    assert.equal(xml.headers['content-type'], 'application/xml; charset=utf-8');
    assert.equal(xml.body, `${XML}<result><message>success</message></result>`);
    const own = await statsGet({ api_user: 'new1', api_key: 'pw-new1' });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal((await f.store.findCustomer('new1'))?.timezone, 'Europe/Berlin');
    assert.equal((await f.store.findCustomer('new2'))?.timezone, 'UTC');
    // Same password as another account: created, but the Bearer lookup is left to that one.
    const same = await add('new3', { password: 'pw-new1', confirm_password: 'pw-new1' });
    assert.equal(same.statusCode, 200, same.body);
    assert.equal((await statsGet({ api_user: 'new3', api_key: 'pw-new1' })).statusCode, 200);
  });

  test('add: every documented requirement, all problems in one answer (JSON and XML)', async () => {
    const none = await call('distributor.add.json', {});
    assert.equal(none.statusCode, 400);
    assert.deepEqual(none.json(), {
      message: 'error',
      errors: [
        'error in username: is required',
        'error in password: is required',
        'error in confirm_password: is required',
        'error in email: is required',
        'error in first_name: is required',
        'error in last_name: is required',
        'error in address: is required',
        'error in city: is required',
        'error in state: is required',
        'error in zip: is required',
        'error in country: is required',
        'error in phone: is required',
        'error in website: is required',
      ],
    });
    const bad = await add('x'.repeat(65), {
      password: 'short',
      confirm_password: 'other',
      email: 'not-an-address',
      first_name: 'f'.repeat(51),
      company: 'c'.repeat(256),
      free_user: 'yes',
      billing_date: '2024-05-11',
      'ip[]': ['999.1.1.1'],
      timezone: 'Mars/Olympus',
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json().errors, [
      'error in username: must be no more than 64 characters',
      'error in password: must be at least 6 characters',
      'error in confirm_password: must match password',
      'error in first_name: must be no more than 50 characters',
      'error in company: must be no more than 255 characters',
      'error in email: must be in email format',
      'error in free_user: must be true or false',
      'error in billing_date: must be within one billing cycle from today (2024-03-10 to 2024-04-10)',
      'error in ip: must be valid IP addresses (999.1.1.1 is not)',
      'error in timezone: must be an IANA time zone name such as Europe/Berlin',
    ]);
    const mismatch = await add('new4', { confirm_password: 'different' }, 'xml');
    assert.equal(mismatch.statusCode, 400);
    assert.equal(mismatch.body, `${XML}<result><message>error</message><errors><error>error in confirm_password: must match password</error></errors></result>`);
    assert.equal(await f.store.findCustomer('new4'), null);
  });

  test('add: one namespace — a reseller, any customer (another reseller’s, a deleted one) holds its name', async () => {
    for (const name of ['r2', 'c1', 'c2']) {
      const taken = await add(name, { password: 'long-enough', confirm_password: 'long-enough' });
      assert.equal(taken.statusCode, 400, name);
      assert.deepEqual(taken.json(), { message: 'error', errors: ['error in username: is already taken'] });
    }
    assert.equal((await add('gone1')).statusCode, 200);
    assert.equal((await call('distributor.delete.json', { user: 'gone1' })).statusCode, 200);
    const again = await add('gone1', {}, 'xml');
    assert.equal(again.body, `${XML}<result><message>error</message><errors><error>error in username: is already taken</error></errors></result>`);
  });

  test('add/delete: credentials first (401), customer credentials are not a reseller’s', async () => {
    const wrong = await add('new5', {}, 'json', { api_user: 'r1', api_key: 'nope' });
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(wrong.json(), { message: 'error', errors: ['Bad username / password'] });
    await setCustomerKey(f.store, 'c1', C1.api_key);
    assert.equal((await add('new5', {}, 'json', C1)).statusCode, 401);
    const del = await call('distributor.delete.xml', { user: 'c1' }, C1);
    assert.equal(del.statusCode, 401);
    assert.equal(del.body, `${XML}<result><message>error</message><errors><error>Bad username / password</error></errors></result>`);
    assert.equal((await f.app.inject({ method: 'PUT', url: '/api/distributor.add.json' })).statusCode, 405);
  });

  test('delete: credentials stop, the customer leaves the lists, its statistics stay, webhooks answer as for an unknown user', async () => {
    assert.equal((await add('gone2')).statusCode, 200);
    const created = await f.store.findCustomer('gone2');
    assert.ok(created);
    await postEvents(f.app, [{ event: 'processed', timestamp: at('2024-03-10T09:00:00Z'), email: 'a@x', sg_message_id: 'm1' }], 'gone2');
    assert.equal((await statsGet({ api_user: 'gone2', api_key: 'pw-gone2' })).statusCode, 200);
    const del = await call('distributor.delete.json', { user: 'gone2' });
    assert.equal(del.body, '{"message":"success"}');
    assert.equal((await statsGet({ api_user: 'gone2', api_key: 'pw-gone2' })).statusCode, 401);
    const listed = await manage({ method: 'profile', task: 'get', username: 'gone2' });
    assert.deepEqual(listed.json(), []);
    const stats = await manage({ method: 'stats', user: 'gone2' });
    assert.deepEqual(stats.json(), { message: 'error', errors: ['error in user: user not found'] });
    const hook = await postEvents(f.app, [{ event: 'processed', timestamp: at('2024-03-10T09:00:00Z'), email: 'b@x', sg_message_id: 'm2' }], 'gone2');
    const unknown = await postEvents(f.app, [{ event: 'processed', timestamp: at('2024-03-10T09:00:00Z'), email: 'b@x', sg_message_id: 'm2' }], 'never-was');
    assert.deepEqual([hook.status, hook.body], [unknown.status, unknown.body]);
    // The rollups are still there for `customer purge` (task C) or an operator to see.
    assert.equal((await f.store.aggregate(created.id)).requests, 1);
    // A second delete, an unknown name and another reseller's customer answer alike.
    for (const user of ['gone2', 'nobody', 'c2']) {
      const r = await call('distributor.delete.json', { user });
      assert.equal(r.statusCode, 400, user);
      assert.deepEqual(r.json(), { message: 'error', errors: ['error in user: user not found'] });
    }
    const xml = await call('distributor.delete.xml', {});
    assert.equal(xml.body, `${XML}<result><message>error</message><errors><error>error in user: is required</error></errors></result>`);
  });

  test('profile get: the documented fields in order, CLI-created customers with empty fields, the filters, JSON and XML', async () => {
    const all = await manage({ method: 'profile', task: 'get' });
    assert.equal(all.statusCode, 200, all.body);
    const names = all.json().map((u: { username: string }) => u.username);
    assert.deepEqual(names, ['c1', 'new1', 'new2', 'new3'], 'own customers only, not deleted ones, by username');
    assert.deepEqual(all.json()[1], { username: 'new1', ...{ email: PROFILE.email }, active: 'true', ...PROFILE });
    assert.deepEqual(Object.keys(all.json()[1]), ['username', 'email', 'active', 'first_name', 'last_name', 'address', 'city', 'state', 'zip', 'country', 'phone', 'website']);
    assert.deepEqual(all.json()[0], { username: 'c1', email: '', active: 'true', first_name: '', last_name: '', address: '', city: '', state: '', zip: '', country: '', phone: '', website: '' });
    const xml = await manage({ method: 'profile', task: 'get', username: 'c1' }, 'xml');
    assert.equal(
      xml.body,
      `${XML}<users><user><username>c1</username><email/><active>true</active><first_name/><last_name/><address/><city/><state/><zip/><country/><phone/><website/></user></users>`,
    );
    const byEmail = await manage({ method: 'profile', task: 'get', email: 'new1@example.com' });
    assert.deepEqual(byEmail.json().map((u: { username: string }) => u.username), ['new1', 'new2', 'new3']);
    const none = await manage({ method: 'profile', task: 'get', username: 'c2' }, 'xml');
    assert.equal(none.body, `${XML}<users/>`);
    const badActive = await manage({ method: 'profile', task: 'get', active: 'maybe' });
    assert.deepEqual(badActive.json(), { message: 'error', errors: ['error in active: must be true or false'] });
    const noTask = await manage({ method: 'profile' });
    assert.deepEqual(noTask.json(), { message: 'error', errors: ['error in task: is required'] });
    const badTask = await manage({ method: 'profile', task: 'list' }, 'xml');
    assert.equal(badTask.body, `${XML}<result><message>error</message><errors><error>error in task: must be get, set or setEmail</error></errors></result>`);
  });

  test('enable / disable: documented bodies; a disabled customer’s password stops, `active` follows', async () => {
    const off = await manage({ method: 'disable', user: 'new2' });
    assert.equal(off.body, '{"message":"success"}');
    assert.equal((await statsGet({ api_user: 'new2', api_key: 'pw-new2' })).statusCode, 401);
    const inactive = await manage({ method: 'profile', task: 'get', active: 'false' });
    assert.deepEqual(inactive.json().map((u: { username: string }) => u.username), ['new2']);
    const on = await manage({ method: 'enable', user: 'new2' }, 'xml');
    assert.equal(on.body, `${XML}<result><message>success</message></result>`);
    assert.equal((await statsGet({ api_user: 'new2', api_key: 'pw-new2' })).statusCode, 200);
    // The disable table's own spelling.
    assert.equal((await manage({ method: 'disable', username: 'new2' })).statusCode, 200);
    await manage({ method: 'enable', user: 'new2' });
    for (const user of ['c2', 'nobody', 'gone1']) {
      const json = await manage({ method: 'enable', user });
      assert.equal(json.statusCode, 400);
      assert.equal(json.body, '{"message":"User not found"}');
      const xml = await manage({ method: 'disable', user }, 'xml');
      assert.equal(xml.body, `${XML}<result><message>User not found</message></result>`);
    }
    const missing = await manage({ method: 'enable' });
    assert.deepEqual(missing.json(), { message: 'error', errors: ['error in user: is required'] });
  });

  test('password: replaces the api_key at once; checks; tenancy', async () => {
    const ok = await manage({ method: 'password', user: 'new1', password: 'pw-new1-b', confirm_password: 'pw-new1-b' });
    assert.equal(ok.body, '{"message":"success"}');
    assert.equal((await statsGet({ api_user: 'new1', api_key: 'pw-new1' })).statusCode, 401);
    assert.equal((await statsGet({ api_user: 'new1', api_key: 'pw-new1-b' })).statusCode, 200);
    const bad = await manage({ method: 'password', user: 'new1', password: 'abc', confirm_password: 'abd' }, 'xml');
    assert.equal(
      bad.body,
      `${XML}<result><message>error</message><errors><error>error in password: must be at least 6 characters</error><error>error in confirm_password: must match password</error></errors></result>`,
    );
    for (const user of ['c2', 'nobody', 'gone1']) {
      const r = await manage({ method: 'password', user, password: 'abcdefgh', confirm_password: 'abcdefgh' });
      assert.equal(r.statusCode, 400);
      assert.deepEqual(r.json(), { message: 'error', errors: ['error in user: user not found'] });
    }
  });

  test('profile set / setEmail: documented fields, lengths, tenancy', async () => {
    const set = await manage({ method: 'profile', task: 'set', user: 'c1', first_name: 'Cee', city: 'Berlin' });
    assert.equal(set.body, '{"message":"success"}');
    const email = await manage({ method: 'profile', task: 'setEmail', user: 'c1', email: 'c1@example.org' }, 'xml');
    assert.equal(email.body, `${XML}<result><message>success</message></result>`);
    const row = (await manage({ method: 'profile', task: 'get', username: 'c1' })).json()[0];
    assert.deepEqual([row.first_name, row.city, row.email, row.last_name], ['Cee', 'Berlin', 'c1@example.org', '']);
    const empty = await manage({ method: 'profile', task: 'set', user: 'c1' });
    assert.deepEqual(empty.json(), { message: 'error', errors: ['error in request: give at least one profile field to change'] });
    // NUL and other control characters are refused in every stored field (PostgreSQL text holds no NUL).
    const nul = await manage({ method: 'profile', task: 'set', user: 'c1', city: 'a\u0000b', phone: 'x\ny' });
    assert.deepEqual(nul.json().errors, ['error in city: must not contain control characters', 'error in phone: must not contain control characters']);
    const nulAdd = await add('nul1', { address: '\u0000', email: 'a\u0000@b.cc' });
    assert.deepEqual(nulAdd.json().errors, ['error in email: must not contain control characters', 'error in address: must not contain control characters']);
    const long = await manage({ method: 'profile', task: 'set', user: 'c1', zip: 'z'.repeat(51) });
    assert.deepEqual(long.json(), { message: 'error', errors: ['error in zip: must be no more than 50 characters'] });
    const badEmail = await manage({ method: 'profile', task: 'setEmail', user: 'c1', email: 'nope' });
    assert.deepEqual(badEmail.json(), { message: 'error', errors: ['error in email: must be in email format'] });
    const other = await manage({ method: 'profile', task: 'set', user: 'c2', first_name: 'X' });
    assert.deepEqual(other.json(), { message: 'error', errors: ['error in user: user not found'] });
    const rename = await manage({ method: 'profile', task: 'setUsername', user: 'c1', username: 'c9' });
    assert.equal(rename.statusCode, 400);
  });

  test('odd values in every parameter of every call: never a 5xx, always the envelope', async () => {
    const ODD = ['\u0000', '\uD800', '', ' ', '%zz', 'x'.repeat(5000), 'c1', 'true', '2024-02-30', '\u202Eevil'];
    const FIELDS = ['username', 'user', 'password', 'confirm_password', 'email', 'first_name', 'zip', 'website', 'free_user', 'billing_date', 'ip', 'ip_group', 'timezone', 'task', 'active', 'city'];
    const calls: Array<[string, Record<string, string>]> = [
      ['distributor.add.json', {}],
      ['distributor.delete.xml', {}],
      ['distributor.manage.json', { method: 'profile', task: 'get' }],
      ['distributor.manage.xml', { method: 'profile', task: 'set', user: 'c1' }],
      ['distributor.manage.json', { method: 'profile', task: 'setEmail', user: 'c1' }],
      ['distributor.manage.json', { method: 'disable' }],
      ['distributor.manage.xml', { method: 'password', user: 'c1' }],
    ];
    for (const [path, fixed] of calls) {
      for (const odd of ODD) {
        const params: Record<string, string> = {};
        for (const field of FIELDS) params[field] = odd;
        // The call's own method/task win; add gets a fresh name per value, so none is refused as taken.
        const res = await call(path, { ...params, ...fixed, ...(path.startsWith('distributor.add') ? { username: `odd-${ODD.indexOf(odd)}` } : {}) });
        assert.ok(res.statusCode < 500, `${path} with ${JSON.stringify(odd).slice(0, 20)}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        assert.match(String(res.headers['content-type']), path.endsWith('.xml') ? /^application\/xml/ : /^application\/json/);
      }
    }
  });

  test('profile get streams a long list in keyset slices: every customer once, in order, JSON and XML', async () => {
    const r3 = await addReseller(f.store, 'r3', 'key-r3-secret');
    const count = 2 * PROFILE_SLICE + 1;
    const names = Array.from({ length: count }, (_, i) => `bulk-${String(i).padStart(5, '0')}`);
    for (const name of names) await f.store.addCustomer(name, r3, 'UTC');
    const R3 = { api_user: 'r3', api_key: 'key-r3-secret' };
    const json = await manage({ method: 'profile', task: 'get' }, 'json', R3);
    assert.deepEqual(json.json().map((u: { username: string }) => u.username), names);
    const xml = await manage({ method: 'profile', task: 'get' }, 'xml', R3);
    assert.equal(xml.body.match(/<user>/g)?.length, count);
    assert.ok(xml.body.endsWith('</user></users>'));
  });

  test('another reseller sees none of it; the same calls with its credentials act on its own customers only', async () => {
    const list = await manage({ method: 'profile', task: 'get' }, 'json', R2);
    assert.deepEqual(list.json().map((u: { username: string }) => u.username), ['c2']);
    assert.equal((await manage({ method: 'disable', user: 'new1' }, 'json', R2)).body, '{"message":"User not found"}');
  });
});
