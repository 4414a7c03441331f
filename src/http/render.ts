// The only serializer: every body, success or error, leaves through here in JSON or XML.
// Element names are fixed by the code, never taken from input; text is escaped here.
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';

export type Format = 'json' | 'xml';

export const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
};

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

// & < > " ' as entities; tab, newline and carriage return as character references, because an
// XML parser normalises them in text (CR and CR LF become LF) and a category name must come
// back exactly as it was stored.
const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
const XML_SPECIAL = /[&<>"'\t\n\r]/g;

export function xmlText(text: string): string {
  return text.replace(XML_SPECIAL, (c) => XML_ESCAPES[c] as string);
}

/**
 * An element from a JSON-like value: an object's keys become child elements, an array repeats
 * its element, null/undefined leaves it out, and an empty value is `<name/>`.
 */
export function xmlElement(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => xmlElement(name, v)).join('');
  let content: string;
  if (typeof value === 'object') {
    content = '';
    for (const [key, child] of Object.entries(value)) content += xmlElement(key, child);
  } else content = xmlText(String(value));
  return content === '' ? `<${name}/>` : `<${name}>${content}</${name}>`;
}

/** A body with its JSON value and its XML tree (root element → content). */
export interface Rendering {
  json: unknown;
  xml: Record<string, unknown>;
}

export function serialize(format: Format, r: Rendering): string {
  if (format === 'json') return JSON.stringify(r.json);
  let body = XML_DECLARATION;
  for (const [root, content] of Object.entries(r.xml)) body += xmlElement(root, content);
  return body;
}

/**
 * A list answer produced in slices: a JSON array, or an XML root element repeating `item`.
 * `json` and `xml` turn one item into its JSON value and its XML element content.
 */
export interface Listing<T> {
  root: string;
  item: string;
  slices: AsyncIterable<readonly T[]>;
  json(item: T): unknown;
  xml(item: T): unknown;
  /** Optional: exactly `JSON.stringify(json(item))`, made without the intermediate object (the hot v1 rows). */
  jsonText?(item: T): string;
}

async function* listingText<T>(format: Format, listing: Listing<T>): AsyncGenerator<string> {
  let started = false;
  for await (const slice of listing.slices) {
    if (slice.length === 0) continue;
    let text = '';
    for (const item of slice) {
      if (format === 'json') text += (started ? ',' : '[') + (listing.jsonText ? listing.jsonText(item) : JSON.stringify(listing.json(item)));
      else text += (started ? '' : `${XML_DECLARATION}<${listing.root}>`) + xmlElement(listing.item, listing.xml(item));
      started = true;
    }
    yield text;
  }
  if (format === 'json') yield started ? ']' : '[]';
  else yield started ? `</${listing.root}>` : `${XML_DECLARATION}<${listing.root}/>`;
}

/** Chunks of text gathered until this size are sent as one body with a Content-Length. */
const WHOLE_BODY_BYTES = 256 * 1024;

/**
 * The body of a listing: a string when it is small (the usual case: one read, one
 * Content-Length), otherwise a stream that renders slice by slice as the client takes them,
 * letting the event loop turn between slices. The first slice is read before anything is
 * sent, so a storage error still becomes an ordinary error answer; a failure later can only
 * cut the connection (the client sees an incomplete body and retries).
 */
export async function listingBody<T>(format: Format, listing: Listing<T>): Promise<string | Readable> {
  const chunks = listingText(format, listing);
  let gathered = '';
  for (;;) {
    const next = await chunks.next();
    if (next.done) return gathered;
    gathered += next.value;
    if (gathered.length >= WHOLE_BODY_BYTES) break;
  }
  const head = gathered;
  async function* rest(): AsyncGenerator<string> {
    try {
      yield head;
      for (;;) {
        await nextTurn();
        const next = await chunks.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // The client may go away mid-answer: stop reading slices for it.
      await chunks.return(undefined);
    }
  }
  return Readable.from(rest(), { objectMode: false, highWaterMark: 64 * 1024 });
}

export function errorRendering(messages: readonly string[]): Rendering {
  return {
    json: { message: 'error', errors: messages },
    xml: { result: { message: 'error', errors: { error: [...messages] } } },
  };
}

/** `.xml` endpoints answer in XML, everything else in JSON. */
export function formatOfUrl(url: string): Format {
  const path = url.split('?', 1)[0] ?? '';
  return path.endsWith('.xml') ? 'xml' : 'json';
}
