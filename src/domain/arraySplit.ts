// Splits the text of a top-level JSON array into its elements' spans without parsing them, a
// slice at a time, so a 16 MiB body can be counted, capped and parsed piecewise between turns of
// the event loop. Only strings and nesting depth are tracked; whether each element is valid JSON
// is left to JSON.parse, which sees every element (grouped, see http/batchBody.ts). Pure.

/** One element: text.slice(start, end), surrounding whitespace included. */
export interface Span {
  start: number;
  end: number;
}

export type SplitState = 'more' | 'done' | 'invalid';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

const isJsonSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isJsonSpace(text.charCodeAt(i))) return false;
  return true;
}

/** Index of the first non-whitespace character at or after `from` (text.length if none). */
export function skipSpace(text: string, from = 0): number {
  let i = from;
  while (i < text.length && isJsonSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Index of the quote closing a string whose content starts at `from`, or -1. */
function stringEnd(text: string, from: number): number {
  for (let at = from; ; ) {
    const k = text.indexOf('"', at);
    if (k < 0) return -1;
    let backslashes = 0;
    for (let j = k - 1; j >= from && text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return k;
    at = k + 1;
  }
}

export class ArraySplitter {
  private pos: number;
  private depth = 0;
  private elementStart: number;
  private elements = 0;

  /** `open` is the index of the array's `[`. */
  constructor(
    private readonly text: string,
    open: number,
  ) {
    if (text.charCodeAt(open) !== OPEN_BRACKET) throw new Error('not at an array');
    this.pos = open + 1;
    this.elementStart = open + 1;
  }

  /**
   * Advances by about `budget` characters, appending each completed element to `out`, and stops
   * early once `out` holds more than `maxElements`. 'done' once the closing bracket is found with
   * nothing but whitespace after it; 'invalid' for text that cannot be a JSON array
   * (unterminated, an empty element, trailing garbage).
   */
  next(budget: number, out: Span[], maxElements = Infinity): SplitState {
    const { text } = this;
    const length = text.length;
    const stop = Math.min(this.pos + budget, length);
    let pos = this.pos;
    let depth = this.depth;
    try {
      // A plain character loop (strings skipped with indexOf): several times faster than a
      // regular expression stepping from one structural character to the next.
      while (pos < stop) {
        const c = text.charCodeAt(pos++);
        if (c === QUOTE) {
          const end = stringEnd(text, pos);
          if (end < 0) return 'invalid';
          pos = end + 1;
        } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
          depth++;
        } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
          if (depth > 0) {
            depth--;
            continue;
          }
          // A closing bracket at depth 0 ends the array; a closing brace there is misplaced.
          if (c === CLOSE_BRACE) return 'invalid';
          const i = pos - 1;
          const empty = isBlank(text, this.elementStart, i);
          if (empty && this.elements > 0) return 'invalid';
          if (!empty) out.push({ start: this.elementStart, end: i });
          return isBlank(text, pos, length) ? 'done' : 'invalid';
        } else if (c === COMMA && depth === 0) {
          const i = pos - 1;
          if (isBlank(text, this.elementStart, i)) return 'invalid';
          out.push({ start: this.elementStart, end: i });
          this.elements++;
          this.elementStart = pos;
          if (out.length > maxElements) return 'more';
        }
      }
      return pos < length ? 'more' : 'invalid';
    } finally {
      this.pos = pos;
      this.depth = depth;
    }
  }
}
