// Category names with characters an XML parser normalises (CR, CR LF, tab, newline) or trims
// must come back from the XML answers exactly as stored: the renderer writes them as
// character references. Checked with fast-xml-parser and with xmldom, a strict parser.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { XMLParser } from 'fast-xml-parser';
import { type Fixture, at, fixture, postEvents, stats } from '../helpers.js';

const NOW = new Date('2024-03-10T12:00:00Z');
const NAMES = ['cr\rinside', 'crlf\r\nend', 'tab\there', 'line\nbreak', '\tleading tab', 'trailing newline\n', 'amp & <lt> "q" \'a\''];

/** Text of every `tag` element, parsed by a strict parser that throws on any error or warning. */
function strictTexts(xml: string, tag: string): string[] {
  const fail = (level: string, message: string): never => {
    throw new Error(`${level}: ${message}`);
  };
  const doc = new DOMParser({ onError: fail }).parseFromString(xml, 'application/xml');
  return Array.from(doc.getElementsByTagName(tag)).map((e) => e.textContent ?? '');
}

/** fast-xml-parser decodes numeric character references with htmlEntities. */
const fxp = new XMLParser({ htmlEntities: true, parseTagValue: false, isArray: (name) => name === 'category' || name === 'day' });

describe('XML answers keep category names intact', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(NOW);
    const events = NAMES.map((name, i) => ({ event: 'processed', timestamp: at('2024-03-10T08:00:00Z') + i, email: `a${i}@x.test`, sg_message_id: `m${i}`, category: name }));
    const res = await postEvents(f.app, events);
    assert.equal(res.body.accepted, NAMES.length, JSON.stringify(res.body));
  });
  after(() => f.close());

  test('list=true: JSON and XML (both parsers) list the same names', async () => {
    const json = (await stats(f.app, 'json', { list: 'true' })).json() as Array<{ category: string }>;
    const expected = json.map((c) => c.category);
    assert.deepEqual([...expected].sort(), [...NAMES].sort());
    const xml = (await stats(f.app, 'xml', { list: 'true' })).body;
    assert.deepEqual(strictTexts(xml, 'category'), expected);
    assert.deepEqual((fxp.parse(xml) as { categories: { category: string[] } }).categories.category, expected);
    assert.ok(!/[\r\n\t]/.test(xml), 'no raw CR, LF or tab left in the body');
  });

  test('category statistics name each category as requested', async () => {
    const res = await stats(f.app, 'xml', { category: NAMES });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(strictTexts(res.body, 'category'), NAMES);
    const parsed = fxp.parse(res.body) as { stats: { day: Array<{ category: string[] }> } };
    assert.deepEqual(parsed.stats.day.map((d) => d.category[0]), NAMES);
  });
});
