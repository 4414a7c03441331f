// Calendar days as integers (days since 1970-01-01), the form rollups are keyed by: compact,
// ordered, and the same in SQLite and PostgreSQL. Pure: callers pass the instant in.

const MS_PER_DAY = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` → epoch day, or null unless it is a real calendar date. */
export function parseDay(text: string): number | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return Math.round(date.getTime() / MS_PER_DAY);
}

// Every row of an answer shows its date, and answers ask for the same recent days over and
// over: each day's text is made once. Bounded (cleared when full) so odd ranges cannot grow it.
const dayTexts = new Map<number, string>();
const DAY_TEXTS_LIMIT = 100_000;

export function formatDay(day: number): string {
  let text = dayTexts.get(day);
  if (text === undefined) {
    text = formatDayNow(day);
    if (dayTexts.size >= DAY_TEXTS_LIMIT) dayTexts.clear();
    dayTexts.set(day, text);
  }
  return text;
}

function formatDayNow(day: number): string {
  const date = new Date(day * MS_PER_DAY);
  const y = String(date.getUTCFullYear()).padStart(4, '0');
  const m = String(date.getUTCMonth() + 1).padStart(2, '0');
  const d = String(date.getUTCDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

// Within one UTC quarter-hour the local date almost never changes, since offsets are multiples
// of 15 minutes from 1972 on. Caching each quarter-hour's date turns the per-event Intl call
// into a map hit. Where a quarter-hour does straddle a local midnight (zones that switched
// clocks at 00:01 local time, such as America/St_Johns until 2011, or the odd local-mean-time
// offsets before 1972), its start and end dates differ and that bucket is never cached.
const QUARTER_HOUR_S = 900;
const STRADDLES = -1;
const dayCache = new Map<string, Map<number, number>>();
const DAY_CACHE_LIMIT = 50_000;

function computeDay(unixSeconds: number, timeZone: string): number {
  let y = 0;
  let m = 0;
  let d = 0;
  for (const part of formatterFor(timeZone).formatToParts(unixSeconds * 1000)) {
    if (part.type === 'year') y = Number(part.value);
    else if (part.type === 'month') m = Number(part.value);
    else if (part.type === 'day') d = Number(part.value);
  }
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return Math.round(date.getTime() / MS_PER_DAY);
}

/** The calendar day, in `timeZone`, of a unix-seconds instant. */
export function dayOf(unixSeconds: number, timeZone: string): number {
  if (timeZone === 'UTC') return Math.floor(unixSeconds / 86_400);
  let cache = dayCache.get(timeZone);
  if (!cache) {
    cache = new Map();
    dayCache.set(timeZone, cache);
  }
  const bucket = Math.floor(unixSeconds / QUARTER_HOUR_S);
  let day = cache.get(bucket);
  if (day === undefined) {
    const first = computeDay(bucket * QUARTER_HOUR_S, timeZone);
    const last = computeDay(bucket * QUARTER_HOUR_S + QUARTER_HOUR_S - 1, timeZone);
    day = first === last ? first : STRADDLES;
    if (cache.size >= DAY_CACHE_LIMIT) cache.clear();
    cache.set(bucket, day);
  }
  return day === STRADDLES ? computeDay(unixSeconds, timeZone) : day;
}

/** Today, in `timeZone`, at the instant `now`. */
export function todayIn(timeZone: string, now: Date): number {
  return dayOf(Math.floor(now.getTime() / 1000), timeZone);
}
