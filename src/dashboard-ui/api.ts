// Calls to the dashboard's JSON endpoints. The session cookie rides along (same origin).
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function parse<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as { errors?: string[] };
  if (!res.ok) throw new HttpError(res.status, body.errors?.join('; ') ?? `HTTP ${res.status}`);
  return body as T;
}

export const getJson = async <T>(path: string): Promise<T> => parse<T>(await fetch(path, { credentials: 'same-origin' }));

export const postJson = async <T>(path: string, body: unknown): Promise<T> =>
  parse<T>(await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));

const ACTION_HEADER = { 'x-mailtally-request': 'dashboard' };

/**
 * A state change (create, disable, delete…), sent with the action header the server requires:
 * a cross-site page cannot send it (src/http/dashboard/provisioningRoutes.ts).
 */
export async function sendAction(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<void> {
  // No Content-Type without a body: an empty body declared as JSON is a 400.
  const init: RequestInit =
    body === undefined
      ? { method, credentials: 'same-origin', headers: ACTION_HEADER }
      : { method, credentials: 'same-origin', headers: { ...ACTION_HEADER, 'content-type': 'application/json' }, body: JSON.stringify(body) };
  await parse<unknown>(await fetch(path, init));
}

export interface CustomerSummary {
  username: string;
  timezone: string;
  requests: number;
  delivered: number;
  delivered_rate: number | null;
  open_rate: number | null;
  click_rate: number | null;
  bounce_rate: number | null;
  spam_rate: number | null;
  trend: number[];
}

export interface CustomerPage {
  from: string;
  to: string;
  total: number;
  offset: number;
  limit: number;
  customers: CustomerSummary[];
}

export type Row = Record<string, number> & { date?: string; category?: string; provider?: string };

export interface Series {
  username: string;
  timezone: string;
  start_date: string;
  end_date: string;
  aggregated_by: 'day' | 'week' | 'month';
  fields: string[];
  buckets: Array<Row & { date: string }>;
  totals: Row;
  categories: Array<Row & { category: string }>;
  providers: Array<Row & { provider: string }>;
}

/** A reseller's brand: shown as text, the colour applied through a CSS custom property. */
export interface Brand {
  name: string;
  color: string;
}

/** /dashboard/api/me: who is signed in, which view they get, and the brand to draw it in. */
export interface Me {
  kind: 'reseller' | 'customer';
  api_user: string;
  brand: Brand | null;
}
