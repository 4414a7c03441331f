// A reseller's brand (`reseller set-brand`, SPEC section 8): the name and accent colour its
// customers' dashboards show. Checked here, once, so what is stored is always safe to show: the
// name is plain text the page puts in with textContent, the colour a value a CSS custom property
// can take and nothing else (no `;`, `url(…)` or other CSS can ride along).
export const BRAND_NAME_MAX = 64;

// Control, format, unassigned, private-use and surrogate code points; and line/paragraph separators.
const UNPRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;

/** The name as given, or a message saying what is wrong with it. */
export function checkBrandName(name: string): { ok: true; name: string } | { ok: false; error: string } {
  const length = [...name].length; // code points: what a person counts as characters
  if (length < 1 || length > BRAND_NAME_MAX) return { ok: false, error: `must be 1 to ${BRAND_NAME_MAX} characters` };
  if (UNPRINTABLE.test(name)) return { ok: false, error: 'must be printable text (no control or formatting characters)' };
  if (name.trim() !== name) return { ok: false, error: 'must not start or end with spaces' };
  return { ok: true, name };
}

/** '#rrggbb' in lower case, or a message saying what is wrong. */
export function checkBrandColor(color: string): { ok: true; color: string } | { ok: false; error: string } {
  if (!/^#[0-9A-Fa-f]{6}$/.test(color)) return { ok: false, error: "must be exactly #RRGGBB (six hex digits), e.g. '#1a73e8'" };
  return { ok: true, color: color.toLowerCase() };
}
