// Request parameters as the legacy API receives them: from the query string and/or a form body,
// any key possibly repeated or written `name[]`. Normalised to name → list of values, so every
// rule below sees one shape whatever the transport.
import { ApiError, paramMessage } from './errors.js';

export type Params = ReadonlyMap<string, readonly string[]>;

type RawValue = unknown;

// `x[]` and `x[0]`, `x[1]`… count as `x`: PHP's http_build_query numbers array elements, and a
// PHP array of curl fields cannot repeat a key, so PHP clients send lists both ways.
const LIST_SUFFIX = /\[[0-9]*\]$/;

/** The parameter a decoded key names: `x[]` and `x[N]` are `x`. The one rule, shared with log redaction. */
export function paramName(decodedKey: string): string {
  return decodedKey.replace(LIST_SUFFIX, '');
}

/** Merge parsed query/body objects; `x[]` and `x[N]` count as `x`; non-string leaves are dropped. */
export function collectParams(...sources: Array<Record<string, RawValue> | null | undefined>): Params {
  const out = new Map<string, string[]>();
  for (const source of sources) {
    if (!source || typeof source !== 'object') continue;
    for (const [rawKey, raw] of Object.entries(source)) {
      const key = paramName(rawKey);
      const values = Array.isArray(raw) ? raw : [raw];
      const list = out.get(key) ?? [];
      for (const v of values) if (typeof v === 'string') list.push(v);
      out.set(key, list);
    }
  }
  return out;
}

/** Collects every problem with a request so the client sees them all in one answer. */
export class ParamErrors {
  private readonly messages: string[] = [];
  add(param: string, what: string): void {
    this.messages.push(paramMessage(param, what));
  }
  get empty(): boolean {
    return this.messages.length === 0;
  }
  throwIfAny(): void {
    if (this.messages.length > 0) throw new ApiError('bad_request', [...this.messages]);
  }
}

/**
 * A parameter that takes one value. Repeating it with the same value is harmless (a client may
 * send it in both the query and the body); two different values are an error.
 */
export function single(params: Params, name: string, errors: ParamErrors): string | undefined {
  const values = params.get(name);
  if (!values || values.length === 0) return undefined;
  const first = values[0] as string;
  if (values.some((v) => v !== first)) {
    errors.add(name, 'must be given only once');
    return undefined;
  }
  return first;
}

export function has(params: Params, name: string): boolean {
  return (params.get(name)?.length ?? 0) > 0;
}
