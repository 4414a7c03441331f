// Webhook bodies → batch items. A JSON array (SendGrid's format) must parse whole; NDJSON is
// taken line by line, and a line that does not parse is rejected on its own, so one bad line
// cannot hold back the rest of a batch that a sender would otherwise retry forever.
//
// A body may be 16 MiB. It is split, counted and parsed a slice at a time with a turn of the
// event loop between slices, so other requests keep being answered meanwhile; a body holding
// more items than allowed is refused (413) as soon as the count is passed, before any parsing.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ArraySplitter, type Span, skipSpace } from '../domain/arraySplit.js';
import { ApiError } from '../domain/errors.js';
import type { RawItem } from '../services/ingest.js';

export type BodyKind = 'json' | 'ndjson';

export interface BodyLimits {
  /** Most items (events) one body may hold; more is a 413 and nothing is applied. */
  maxEvents: number;
  /** An item larger than this is rejected by its index without being parsed. */
  maxEventBytes: number;
}

export const DEFAULT_BODY_LIMITS: Readonly<BodyLimits> = Object.freeze({ maxEvents: 10_000, maxEventBytes: 256 * 1024 });

// The work between two turns of the event loop: a few ms of splitting or of JSON.parse.
const SLICE_CHARS = 64 * 1024;
const SLICE_ITEMS = 1_000;
// Up to this size a JSON array is parsed in one go, in a few milliseconds.
const FAST_PATH_CHARS = 256 * 1024;

const NOT_JSON = 'error in body: is not valid JSON';
const NOT_AN_ARRAY = 'error in body: must be a JSON array of events';

const badBody = (message: string): ApiError => new ApiError('bad_request', [message]);

export function tooManyEvents(max: number): ApiError {
  return new ApiError('too_large', [`error in body: more than ${max} events in one request; send at most ${max} per request`]);
}

/** The UTF-8 size of an item, when it might exceed `max` (3 bytes per UTF-16 unit at most). */
function exceeds(text: string, start: number, end: number, max: number): number | null {
  if ((end - start) * 3 <= max) return null;
  const bytes = Buffer.byteLength(text.slice(start, end));
  return bytes > max ? bytes : null;
}

const oversizedItem = (text: string, max: number): RawItem => ({ unparsable: text.trim().replaceAll('\0', '\\u0000'), error: `event is larger than ${max} bytes` });

export function parseNdjsonLine(line: string): RawItem {
  try {
    return { value: JSON.parse(line), raw: line.trim() };
  } catch {
    return { unparsable: line };
  }
}

/** The items' own texts of a small array body, split only when first asked for. */
class ItemTexts {
  private spans: Span[] | undefined;
  constructor(
    private readonly text: string,
    private readonly open: number,
    private readonly count: number,
  ) {}
  at(i: number): string | undefined {
    if (!this.spans) new ArraySplitter(this.text, this.open).next(Infinity, (this.spans = []));
    const span = this.spans[i];
    return span && this.spans.length === this.count ? this.text.slice(span.start, span.end).trim() : undefined;
  }
}

class ParsedItem {
  constructor(
    readonly value: unknown,
    private readonly index: number,
    private readonly texts: ItemTexts,
  ) {}
  get raw(): string | undefined {
    return this.texts.at(this.index);
  }
}

/**
 * The elements of a JSON array body (`open` is the index of its `[`), split, counted and parsed a
 * slice at a time. `prepare` rewrites each slice's JSON text before it is parsed (it sees whole
 * elements only, e.g. to quote Mailjet's 17-digit ids) and must not change their number.
 */
export async function parseJsonArray(text: string, open: number, limits: BodyLimits, prepare: (json: string) => string = (json) => json): Promise<RawItem[]> {
  const rawOf = (s: Span): string => text.slice(s.start, s.end).trim();

  // A small body is parsed in one go. Its items' own texts (for the quarantine) are found only
  // if one is asked for, i.e. only for a batch that has rejected events.
  if (text.length <= Math.min(FAST_PATH_CHARS, limits.maxEventBytes)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(prepare(text));
    } catch {
      throw badBody(NOT_JSON);
    }
    if (!Array.isArray(parsed)) throw badBody(NOT_AN_ARRAY);
    if (parsed.length > limits.maxEvents) throw tooManyEvents(limits.maxEvents);
    const texts = new ItemTexts(text, open, parsed.length);
    return parsed.map((value, i) => new ParsedItem(value, i, texts));
  }

  const spans: Span[] = [];
  const splitter = new ArraySplitter(text, open);
  for (;;) {
    const state = splitter.next(SLICE_CHARS, spans, limits.maxEvents);
    if (spans.length > limits.maxEvents) throw tooManyEvents(limits.maxEvents);
    if (state === 'invalid') throw badBody(NOT_JSON);
    if (state === 'done') break;
    await yieldToEventLoop();
  }

  // Otherwise consecutive elements are parsed together as one array, a slice at a time; the
  // count must match the split, so a body that is not valid JSON is still refused whole.
  const items: RawItem[] = new Array<RawItem>(spans.length);
  const tooBig = (s: Span): boolean => exceeds(text, s.start, s.end, limits.maxEventBytes) !== null;
  let i = 0;
  while (i < spans.length) {
    const first = spans[i] as Span;
    if (tooBig(first)) {
      items[i++] = oversizedItem(text.slice(first.start, first.end), limits.maxEventBytes);
      continue;
    }
    let j = i + 1;
    let chars = first.end - first.start;
    while (j < spans.length && j - i < SLICE_ITEMS && chars < SLICE_CHARS) {
      const s = spans[j] as Span;
      if (tooBig(s)) break;
      chars += s.end - s.start;
      j++;
    }
    let group: unknown;
    try {
      group = JSON.parse(prepare(`[${text.slice(first.start, (spans[j - 1] as Span).end)}]`));
    } catch {
      throw badBody(NOT_JSON);
    }
    if (!Array.isArray(group) || group.length !== j - i) throw badBody(NOT_JSON);
    for (let k = 0; k < group.length; k++) items[i + k] = { value: group[k], raw: rawOf(spans[i + k] as Span) };
    i = j;
    if (i < spans.length) await yieldToEventLoop();
  }
  return items;
}

/**
 * Blank lines are skipped; an event's index counts only non-blank lines. `strict` (for a JSON
 * body that may be NDJSON) gives null at the first line that is not JSON.
 */
async function parseNdjson(text: string, limits: BodyLimits, strict: boolean): Promise<{ items: RawItem[]; unparsed: number } | null> {
  const items: RawItem[] = [];
  let unparsed = 0;
  let sliceStart = 0;
  let sliceItems = 0;
  for (let pos = 0; pos <= text.length; ) {
    if (sliceItems >= SLICE_ITEMS || pos - sliceStart >= SLICE_CHARS) {
      await yieldToEventLoop();
      sliceStart = pos;
      sliceItems = 0;
    }
    sliceItems++;
    const newline = text.indexOf('\n', pos);
    // The CR of a CRLF ending is not part of the line (a quarantined line is the same either way).
    const end = newline < 0 ? text.length : newline > pos && text.charCodeAt(newline - 1) === 0x0d ? newline - 1 : newline;
    const start = pos;
    pos = newline < 0 ? text.length + 1 : newline + 1;
    const line = text.slice(start, end);
    if (line.trim() === '') continue;
    if (items.length === limits.maxEvents) throw tooManyEvents(limits.maxEvents);
    if (exceeds(text, start, end, limits.maxEventBytes) !== null) {
      if (strict) return null;
      items.push(oversizedItem(line, limits.maxEventBytes));
    } else {
      const item = parseNdjsonLine(line);
      if ('unparsable' in item) {
        if (strict) return null;
        unparsed++;
      }
      items.push(item);
    }
  }
  return { items, unparsed };
}

/** Whether a body is one JSON value (to word the 400); a body too large to try is called one. */
function isOneValue(text: string, limits: BodyLimits): boolean {
  if (text.length > limits.maxEventBytes) return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export async function parseBatchBody(kind: BodyKind, text: string, limits: BodyLimits = DEFAULT_BODY_LIMITS): Promise<RawItem[]> {
  if (kind === 'ndjson') {
    const { items, unparsed } = (await parseNdjson(text, limits, false)) as { items: RawItem[]; unparsed: number };
    if (items.length === 0) throw badBody('error in body: is empty');
    // A body in which no line parses is not NDJSON and is refused whole.
    if (unparsed === items.length) throw badBody('error in body: is not NDJSON (no line is valid JSON)');
    return items;
  }
  const first = skipSpace(text);
  if (text.charCodeAt(first) === 0x5b /* [ */) return parseJsonArray(text, first, limits);
  // SendGrid's retired batched webhook posted NDJSON as application/json: a body of two or more
  // lines that are each JSON is read as NDJSON. One JSON value that is not an array stays a 400.
  const ndjson = await parseNdjson(text, limits, true);
  if (ndjson && ndjson.items.length >= 2) return ndjson.items;
  throw badBody(ndjson?.items.length === 1 || (ndjson === null && isOneValue(text, limits)) ? NOT_AN_ARRAY : NOT_JSON);
}
