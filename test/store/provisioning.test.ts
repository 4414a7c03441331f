// The provisioning side of the Store (migration 011), on every backend: customers created with
// key and profile in one step, the one namespace including deleted customers, the reseller's
// list in binary username order with filters, keyset and offset paging, and soft deletion that
// hides a customer from every lookup while keeping its name and its statistics.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AlreadyExistsError } from '../../src/domain/errors.js';
import { backends } from './backends.js';

const KEY = { salt: Buffer.from('salt'), hash: Buffer.from('hash'), digest: Buffer.from('digest-1') };

for (const backend of backends) {
  describe(`store provisioning: ${backend.name}`, { skip: backend.skip }, () => {
    test('create, list, page, filter, update, delete', async () => {
      const { store, cleanup } = await backend.open();
      try {
        await store.addReseller('r1', Buffer.from('s'), Buffer.from('h'));
        await store.addReseller('r2', Buffer.from('s'), Buffer.from('h'));
        const r1 = (await store.findReseller('r1'))!.id;
        const r2 = (await store.findReseller('r2'))!.id;
        const made = await store.createCustomer({ username: 'b', resellerId: r1, timezone: 'Europe/Berlin', key: KEY, profile: { email: 'b@x.io', first_name: 'Bee' } });
        assert.deepEqual(await store.findCustomer('b'), made);
        assert.deepEqual((await store.findCustomerByKeyDigest(KEY.digest))?.customer, made);
        await store.addCustomer('a', r1, 'UTC'); // as the CLI does: no key, no profile
        await store.createCustomer({ username: 'B', resellerId: r1, timezone: 'UTC', key: { ...KEY, digest: null }, profile: null });
        await store.createCustomer({ username: 'other', resellerId: r2, timezone: 'UTC', key: null, profile: { email: 'b@x.io' } });
        await assert.rejects(store.createCustomer({ username: 'a', resellerId: r2, timezone: 'UTC', key: null, profile: null }), AlreadyExistsError);
        await assert.rejects(store.createCustomer({ username: 'c', resellerId: r1, timezone: 'UTC', key: KEY, profile: null }), AlreadyExistsError, 'a Bearer digest names one account');

        const names = async (q: Parameters<typeof store.listCustomers>[1], reseller = r1) => (await store.listCustomers(reseller, q)).map((r) => r.customer.username);
        assert.deepEqual(await names({ filters: {}, limit: 10 }), ['B', 'a', 'b'], 'binary order on both backends');
        assert.deepEqual(await names({ filters: {}, limit: 2 }), ['B', 'a']);
        assert.deepEqual(await names({ filters: {}, after: 'a', limit: 2 }), ['b']);
        assert.deepEqual(await names({ filters: {}, offset: 1, limit: 1 }), ['a']);
        assert.deepEqual(await names({ filters: { email: 'b@x.io' }, limit: 10 }), ['b'], "another reseller's customer never shows");
        assert.deepEqual(await names({ filters: { email: '' }, limit: 10 }), ['B', 'a'], 'no profile reads as empty fields');
        assert.deepEqual(await names({ filters: { username: 'other' }, limit: 10 }), []);
        const [record] = await store.listCustomers(r1, { filters: { username: 'b' }, limit: 1 });
        assert.equal(record?.profile.first_name, 'Bee');
        assert.equal(record?.profile.city, '');
        assert.equal(record?.disabled, false);

        assert.equal(await store.setCustomerDisabled('a', true), true);
        assert.deepEqual(await names({ filters: {}, active: false, limit: 10 }), ['a']);
        assert.deepEqual(await names({ filters: {}, active: true, limit: 10 }), ['B', 'b']);

        const a = (await store.findCustomer('a'))!;
        await store.updateProfile(a.id, { city: 'Berlin' });
        await store.updateProfile(a.id, { email: 'a@x.io' });
        const [updated] = await store.listCustomers(r1, { filters: { username: 'a' }, limit: 1 });
        assert.deepEqual([updated?.profile.city, updated?.profile.email], ['Berlin', 'a@x.io']);

        assert.equal(await store.deleteCustomer(made.id, new Date()), true);
        assert.equal(await store.deleteCustomer(made.id, new Date()), false, 'once');
        assert.equal(await store.findCustomer('b'), null);
        assert.equal(await store.findCustomerAccount('b'), null);
        assert.equal(await store.findCustomerByKeyDigest(KEY.digest), null);
        assert.equal(await store.setCustomerDisabled('b', true), false);
        assert.equal(await store.setCustomerKey('b', KEY.salt, KEY.hash, null), false);
        assert.deepEqual((await store.customersOf(r1)).map((c) => c.username).sort(), ['B', 'a']);
        assert.deepEqual(await names({ filters: {}, limit: 10 }), ['B', 'a']);
        assert.equal(await store.customerNameHeld('b'), true, 'the name stays reserved');
        assert.deepEqual(await store.findCustomerEvenDeleted('b'), { customer: made, deleted: true }, 'purge can still find it');
        assert.deepEqual(await store.findCustomerEvenDeleted('a'), { customer: a, deleted: false });
        assert.equal(await store.findCustomerEvenDeleted('nobody'), null);
        assert.equal(await store.customerNameHeld('nobody'), false);
        await assert.rejects(store.createCustomer({ username: 'b', resellerId: r2, timezone: 'UTC', key: null, profile: null }), AlreadyExistsError);
        // The deleted customer's key digest was dropped with its key: another may take it.
        await store.createCustomer({ username: 'c', resellerId: r1, timezone: 'UTC', key: KEY, profile: null });
      } finally {
        await cleanup();
      }
    });
  });
}
