// A reseller's brand on the page: its name in the header (as text, never markup) and its accent
// colour as the --accent custom property. The CSP allows no inline styles (style-src 'self'), but
// setting a property through the CSSOM is not an inline style, so this is allowed; the server
// only ever stores '#rrggbb', and the check below keeps anything else out all the same.
import type { Brand } from './api.js';

const DEFAULT_NAME = 'mailtally';

export function applyBrand(brand: Brand | null): void {
  const name = document.getElementById('brand-name');
  if (name) name.textContent = brand?.name ?? DEFAULT_NAME;
  document.title = brand ? `${brand.name} · statistics` : DEFAULT_NAME;
  const root = document.documentElement.style;
  if (brand && /^#[0-9a-fA-F]{6}$/.test(brand.color)) root.setProperty('--accent', brand.color);
  else root.removeProperty('--accent');
}
