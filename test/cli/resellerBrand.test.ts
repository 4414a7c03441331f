// `reseller set-brand` through the real binary (issue 13 item 4): what it stores, --json and
// --clear, and bad input refused with exit 2 and one line (never echoing the value), an unknown
// reseller with exit 1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type TempDir, tempDir } from '../helpers.js';

const BIN = fileURLToPath(new URL('../../bin/mailtally.js', import.meta.url));

describe('reseller set-brand', () => {
  let dir: TempDir;
  let db: string;
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args, '--db', db], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const stored = () => {
    const raw = new Database(db, { readonly: true });
    try {
      return raw.prepare("SELECT brand_name, brand_color FROM resellers WHERE api_user = 'r1'").get();
    } finally {
      raw.close();
    }
  };

  before(() => {
    dir = tempDir();
    db = join(dir.path, 'mt.sqlite');
    assert.equal(cli('reseller', 'add', 'r1', '--api-key', 'reseller-one-key').code, 0);
  });
  after(() => dir.cleanup());

  test('sets name and colour (colour in lower case), --json, then --clear', () => {
    const set = cli('reseller', 'set-brand', 'r1', '--name', 'Ünïcode Mail <b>&', '--color', '#1A73E8', '--json');
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(JSON.parse(set.stdout), { api_user: 'r1', brand: { name: 'Ünïcode Mail <b>&', color: '#1a73e8' } });
    assert.deepEqual(stored(), { brand_name: 'Ünïcode Mail <b>&', brand_color: '#1a73e8' });
    const clear = cli('reseller', 'set-brand', 'r1', '--clear');
    assert.equal(clear.stdout, 'reseller r1 brand cleared\n');
    assert.deepEqual(stored(), { brand_name: null, brand_color: null });
  });

  test('bad input: exit 2, one line, the value not echoed; nothing stored', () => {
    // Every rule of the checks is in test/unit/brand.test.ts; here, one of each way to fail.
    for (const [args, message] of [
      [['--name', 'Acme', '--color', 'red'], /^error: --color must be exactly #RRGGBB/],
      [['--name', 'two\nlines', '--color', '#123456'], /^error: --name must be printable text/],
      [['--name', 'Acme'], /^error: give both --name and --color, or --clear/],
      [['--clear', '--color', '#123456'], /^error: option '--clear' cannot be used with option '--color/],
    ] as const) {
      const r = cli('reseller', 'set-brand', 'r1', ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
    assert.deepEqual(stored(), { brand_name: null, brand_color: null });
  });

  test('an unknown reseller: exit 1, one line', () => {
    const r = cli('reseller', 'set-brand', 'nobody', '--name', 'Acme', '--color', '#123456');
    assert.deepEqual([r.code, r.stderr], [1, 'mailtally: reseller nobody not found\n']);
  });
});
