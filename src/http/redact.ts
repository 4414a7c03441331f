// Secrets travel as parameters of the legacy API (query string or form body) and must never
// reach a log line. A regex beside the parser misses spellings the parser accepts (`api_key[]=`,
// `api%5Fkey=`, a query started by `#`), so redaction asks the parser itself: the URL is split
// where the router splits it, each `&`-separated pair is decoded by the very function that
// decodes query strings and form bodies (app.ts installs it for both), and the decoded key is
// named by collectParams' own rule. Whatever would reach a secret parameter is redacted.
import fastQueryString from 'fast-querystring';
import { paramName } from '../domain/params.js';

/** The one parser of query strings and form bodies (router and @fastify/formbody). */
export const parseQuery = (text: string): Record<string, unknown> => fastQueryString.parse(text);

// Compared lower-cased: a spelling that does not authenticate today is still redacted.
// `email` and `after_email` are not secrets but personal data (suppression list calls name addresses in them), and
// a log line must not keep what `customer purge` and list deletions erase.
const SECRET_PARAMS = new Set(['api_key', 'api_user', 'password', 'confirm_password', 'email', 'after_email']);
/** The address in a /v3/suppression/<list>/<email> path, for the same reason. */
const ADDRESS_IN_PATH = /^(\/v3\/suppression\/[^/?#]+\/)[^/?#]+/;

const REDACTED = '[redacted]';

function isSecretPair(pair: string): boolean {
  // The parser changes a key only where it holds `%` or `+`; otherwise the raw key is the key.
  const eq = pair.indexOf('=');
  const rawKey = eq < 0 ? pair : pair.slice(0, eq);
  if (!rawKey.includes('%') && !rawKey.includes('+')) return SECRET_PARAMS.has(paramName(rawKey).toLowerCase());
  for (const key of Object.keys(parseQuery(pair))) if (SECRET_PARAMS.has(paramName(key).toLowerCase())) return true;
  return false;
}

/** A query string or form body with the value of every secret parameter replaced. */
export function redactParams(text: string): string {
  return text
    .split('&')
    .map((pair) => {
      if (!isSecretPair(pair)) return pair;
      const eq = pair.indexOf('=');
      return eq < 0 ? pair : `${pair.slice(0, eq + 1)}${REDACTED}`;
    })
    .join('&');
}

/** A request URL with secret parameters redacted; the query starts where the router's does. */
export function redactUrl(url: string): string {
  // find-my-way: the first `?` or `#` after the leading character ends the path.
  let cut = -1;
  for (let i = 1; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 63 || c === 35) {
      cut = i;
      break;
    }
  }
  const path = (cut < 0 ? url : url.slice(0, cut)).replace(ADDRESS_IN_PATH, `$1${REDACTED}`);
  return cut < 0 ? path : `${path}${url[cut]}${redactParams(url.slice(cut + 1))}`;
}
