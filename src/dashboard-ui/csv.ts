// CSV of exactly the table on screen (RFC 4180 quoting). Pure, so it is unit-tested in Node;
// the download itself is in download.ts.
//
// A spreadsheet runs a cell that starts with = + - @ (or tab / CR, which some strip before
// looking) as a formula, and category names are whatever a customer's mail carried. As OWASP
// recommends ("CSV Injection"), such a text cell is prefixed with a single quote and quoted, so
// it opens as the text it is. Numbers are written as numbers: the table's counts are never
// negative, and a quote would turn them into text.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(v: string | number): string {
  if (typeof v === 'number') return String(v);
  if (FORMULA_START.test(v)) return `"'${v.replaceAll('"', '""')}"`;
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export function toCsv(header: string[], rows: Array<Array<string | number>>): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
