// Webhook bodies → batch items. A JSON array (SendGrid's format) must parse whole; NDJSON is
// taken line by line, and a line that does not parse is rejected on its own, so one bad line
// cannot hold back the rest of a batch that a sender would otherwise retry forever.
import { ApiError } from '../domain/errors.js';
import type { RawItem } from '../services/ingest.js';

export type BodyKind = 'json' | 'ndjson';

export function parseJsonArray(text: string): RawItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError('bad_request', ['error in body: is not valid JSON']);
  }
  if (!Array.isArray(parsed)) throw new ApiError('bad_request', ['error in body: must be a JSON array of events']);
  return parsed.map((value) => ({ value }));
}

export function parseNdjsonLine(line: string): RawItem {
  try {
    return { value: JSON.parse(line) };
  } catch {
    return { unparsable: line };
  }
}

/**
 * Blank lines are skipped; an event's index counts only non-blank lines. A body with no line
 * at all, or in which no line parses, is not NDJSON and is refused whole.
 */
export function parseNdjson(text: string): RawItem[] {
  const items: RawItem[] = [];
  for (const line of text.split('\n')) if (line.trim() !== '') items.push(parseNdjsonLine(line));
  if (items.length === 0) throw new ApiError('bad_request', ['error in body: is empty']);
  if (items.every((item) => 'unparsable' in item)) throw new ApiError('bad_request', ['error in body: is not NDJSON (no line is valid JSON)']);
  return items;
}

export function parseBatchBody(kind: BodyKind, text: string): RawItem[] {
  return kind === 'json' ? parseJsonArray(text) : parseNdjson(text);
}
