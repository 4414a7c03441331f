// A server of its own for the oversized-body test in noServerErrors.test.ts: the app on a SQLite
// file in the folder given as argument (r1 → c1, r2 → c2), listening with app.listen({ port: 0 }), so that
// the test can measure this process's memory alone. An optional second argument sets the
// webhook body limit in bytes. Prints one line: the port. Exits on SIGTERM.
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/app.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { RETENTION_MS, addReseller } from '../helpers.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: bigBodyServer.ts <folder>');
const store = openSqlite(join(dir, 'big.sqlite'), { retentionMs: RETENTION_MS });
const r1 = await addReseller(store, 'r1', 'key-r1-secret');
await store.addCustomer('c1', r1, 'UTC');
await store.addCustomer('c2', await addReseller(store, 'r2', 'key-r2-secret'), 'UTC');
const limit = process.argv[3] ? Number(process.argv[3]) : undefined; // webhook body limit, default 16 MiB
const app = await buildApp({ store, ...(limit ? { webhookBodyLimit: limit } : {}) });
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${(app.server.address() as AddressInfo).port}\n`);
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});
