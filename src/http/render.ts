// The only serializer: every body, success or error, leaves through here in JSON or XML.
import { XMLBuilder } from 'fast-xml-parser';

export type Format = 'json' | 'xml';

export const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
};

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
// processEntities escapes & < > " ' in text; element names are fixed here, never from input.
const builder = new XMLBuilder({ format: false, suppressEmptyNode: true, processEntities: true, ignoreAttributes: true });

/** A body with its JSON value and its XML tree (root element → content). */
export interface Rendering {
  json: unknown;
  xml: Record<string, unknown>;
}

export function serialize(format: Format, r: Rendering): string {
  return format === 'json' ? JSON.stringify(r.json) : XML_DECLARATION + builder.build(r.xml);
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
