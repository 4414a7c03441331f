// The dashboard's CSV export (issue 10, item 9): cells a spreadsheet would run as a formula are
// neutralised as OWASP recommends (a leading single quote, inside a quoted field); everything
// else stays RFC 4180.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csvCell, toCsv } from '../../src/dashboard-ui/csv.js';

describe('CSV export', () => {
  test('category names that start a formula are quoted with a leading single quote', () => {
    assert.equal(csvCell('=HYPERLINK("http://evil.example","x")'), `"'=HYPERLINK(""http://evil.example"",""x"")"`);
    assert.equal(csvCell('+1+cmd|/C calc!A0'), `"'+1+cmd|/C calc!A0"`);
    assert.equal(csvCell('-2+3'), `"'-2+3"`);
    assert.equal(csvCell('@SUM(A1:A9)'), `"'@SUM(A1:A9)"`);
    assert.equal(csvCell('\t=1+1'), `"'\t=1+1"`);
    assert.equal(csvCell('\r=1+1'), `"'\r=1+1"`);
  });

  test('ordinary text and numbers are unchanged; separators and quotes are quoted', () => {
    assert.equal(csvCell('newsletter'), 'newsletter');
    assert.equal(csvCell('2026-11-30'), '2026-11-30');
    assert.equal(csvCell('a=b'), 'a=b');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell(42), '42');
    assert.equal(csvCell(0), '0');
  });

  test('a whole table: header, rows, CRLF line ends', () => {
    const csv = toCsv(['category', 'requests'], [['=1+1', 3], ['plain', 0]]);
    assert.equal(csv, `category,requests\r\n"'=1+1",3\r\nplain,0\r\n`);
  });
});
