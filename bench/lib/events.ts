// A deterministic stream of SendGrid Event Webhook events as a reseller's customer produces them:
// messages that are processed, delivered (or bounced / dropped / deferred), opened and clicked,
// each message tagged with one or two of the customer's categories, and a third of the stream
// repeated (SendGrid delivers each event about three times on average).
import { createHash } from 'node:crypto';

/** mulberry32: small, fast, reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CATEGORY_COUNT = 20;
export const categoryName = (i: number): string => `category-${String(i).padStart(2, '0')}`;

export interface StreamOptions {
  seed: number;
  /** Timestamps fall in [nowSeconds - spanDays·86400, nowSeconds). */
  nowSeconds: number;
  spanDays: number;
  /** Every third event repeats an earlier one when true. */
  duplicates: boolean;
}

type Ev = Record<string, unknown>;

/**
 * Generates `count` events as JSON text (one event per string). Repeats copy an event from the
 * recent past (possibly the same batch), as webhook retries do.
 */
export function* eventTexts(count: number, o: StreamOptions): Generator<string> {
  const rand = rng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const recent: string[] = [];
  const RECENT = 4096;
  let pending: string[] = [];
  let message = 0;

  const nextMessage = (): string[] => {
    message += 1;
    const ts = o.nowSeconds - Math.floor(rand() * o.spanDays * 86400) - 3600;
    const id = `${(o.seed * 1e9 + message).toString(36)}.filter0001.${message % 10000}.${(ts * 7).toString(16).toUpperCase()}.0`;
    const email = `user${Math.floor(rand() * 5_000_000)}@example${Math.floor(rand() * 50)}.com`;
    const c1 = Math.floor(rand() * CATEGORY_COUNT);
    const category = rand() < 0.3 ? [categoryName(c1), categoryName((c1 + 1 + Math.floor(rand() * (CATEGORY_COUNT - 1))) % CATEGORY_COUNT)] : categoryName(c1);
    const base = (event: string, dt: number, extra: Ev = {}): string =>
      JSON.stringify({
        email,
        timestamp: ts + dt,
        'smtp-id': `<${id.slice(0, 14)}@ismtpd0001p1mdw1.sendgrid.net>`,
        event,
        category,
        sg_event_id: createHash('md5').update(`${id}${event}${dt}`).digest('base64url'),
        sg_message_id: id,
        ...extra,
      });
    const out = [base('processed', 0)];
    const r = rand();
    if (r < 0.02) return [...out, base('dropped', 1, { reason: pick(['Bounced Address', 'Unsubscribed Address', 'Invalid', 'Spam Content']) })];
    if (r < 0.05) return [...out, base('bounce', 2, { type: pick(['bounce', 'blocked', 'expired']), reason: '550 5.1.1 The email account that you tried to reach does not exist', status: '5.1.1' })];
    if (rand() < 0.05) out.push(base('deferred', 1, { response: '400 try again later', attempt: '1' }));
    out.push(base('delivered', 3, { response: '250 OK', ip: '168.1.1.1', tls: 1 }));
    if (rand() < 0.4) {
      const opens = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < opens; i++) out.push(base('open', 60 + Math.floor(rand() * 7200), { useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', ip: '255.255.255.255', sg_machine_open: rand() < 0.2 }));
      if (rand() < 0.25) out.push(base('click', 120 + Math.floor(rand() * 7200), { url: `https://example.com/offer/${Math.floor(rand() * 100)}`, url_offset: { index: 0, type: 'html' }, useragent: 'Mozilla/5.0', ip: '255.255.255.255' }));
    }
    if (rand() < 0.003) out.push(base('spamreport', 9000));
    if (rand() < 0.006) out.push(base('unsubscribe', 9100));
    return out;
  };

  for (let i = 0; i < count; i++) {
    let text: string;
    if (o.duplicates && i % 3 === 2 && recent.length > 0) {
      text = recent[Math.floor(rand() * recent.length)] as string;
    } else {
      if (pending.length === 0) pending = nextMessage();
      text = pending.shift() as string;
      if (recent.length < RECENT) recent.push(text);
      else recent[Math.floor(rand() * RECENT)] = text;
    }
    yield text;
  }
}

/** Batches of `size` events, each already serialised as a webhook body (a JSON array). */
export function webhookBodies(batches: number, size: number, o: StreamOptions): { bodies: string[]; events: string[][] } {
  const events: string[][] = [];
  let current: string[] = [];
  for (const text of eventTexts(batches * size, o)) {
    current.push(text);
    if (current.length === size) {
      events.push(current);
      current = [];
    }
  }
  return { bodies: events.map((b) => `[${b.join(',')}]`), events };
}

/**
 * The deduplication key the baselines insert: 16 bytes of SHA-256 over the identifying fields
 * (SPEC section 4), computed the way the server computes its own.
 */
export function fingerprintOf(text: string): Buffer {
  const e = JSON.parse(text) as Ev;
  const ev = e.event as string;
  const ts = e.timestamp as number;
  const parts = [
    ev,
    ts > 1e11 ? Math.floor(ts / 1000) : ts,
    (e.sg_message_id as string | undefined) ?? null,
    (e.email as string | undefined) ?? null,
    ev === 'click' ? ((e.url as string | undefined) ?? null) : null,
    ev === 'bounce' || ev === 'dropped' ? ((e.type as string | undefined) ?? null) : null,
    ev === 'bounce' || ev === 'dropped' ? ((e.reason as string | undefined) ?? null) : null,
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest().subarray(0, 16);
}
