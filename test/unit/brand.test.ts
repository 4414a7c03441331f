// The brand checks (domain/brand.ts): what `reseller set-brand` accepts as a name and a colour.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkBrandColor, checkBrandName } from '../../src/domain/brand.js';

test('brand names: 1 to 64 printable characters (code points), no surrounding spaces', () => {
  for (const ok of ['A', 'Acme <Mail> & Co', 'Ünïcode ☃', '😀'.repeat(64), 'x'.repeat(64), 'inner  spaces']) assert.deepEqual(checkBrandName(ok), { ok: true, name: ok }, ok);
  const refused: Array<[string, RegExp]> = [
    ['', /1 to 64/],
    ['x'.repeat(65), /1 to 64/],
    ['😀'.repeat(65), /1 to 64/],
    ['two\nlines', /printable/],
    ['tab\there', /printable/],
    ['nul\0', /printable/],
    ['bidi\u202Eevil', /printable/], // right-to-left override: a format character
    ['zero\u200Bwidth', /printable/],
    ['line\u2028sep', /printable/],
    [' padded', /spaces/],
    ['padded\u00A0', /spaces/],
  ];
  for (const [name, message] of refused) {
    const r = checkBrandName(name);
    assert.equal(r.ok, false, JSON.stringify(name));
    if (!r.ok) assert.match(r.error, message);
  }
});

test('brand colours: exactly #RRGGBB, stored in lower case', () => {
  assert.deepEqual(checkBrandColor('#1A73e8'), { ok: true, color: '#1a73e8' });
  for (const bad of ['red', '#12345', '#1234567', '123456', '#12345g', '#123456;', 'rgb(1,2,3)', '#123', ' #123456', '#123456\n']) {
    assert.equal(checkBrandColor(bad).ok, false, bad);
  }
});
