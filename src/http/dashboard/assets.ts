// The dashboard's static files, read once at start: the page and styles from public/, the
// compiled UI modules from dist/public/ (built by `npm ci` → prepare → build), and uPlot from
// its npm package — nothing from a CDN, so it works offline. Only these names are served.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Asset {
  type: string;
  body: Buffer;
}

const require = createRequire(import.meta.url);
const root = new URL('../../../', import.meta.url);

const UI_DIR = new URL('dist/public/dashboard/', root);

const SOURCES: Record<string, { type: string; path: () => string | URL }> = {
  'index.html': { type: 'text/html; charset=utf-8', path: () => new URL('public/dashboard/index.html', root) },
  'app.css': { type: 'text/css; charset=utf-8', path: () => new URL('public/dashboard/app.css', root) },
  'uPlot.min.css': { type: 'text/css; charset=utf-8', path: () => require.resolve('uplot/dist/uPlot.min.css') },
  'uPlot.iife.min.js': { type: 'text/javascript; charset=utf-8', path: () => require.resolve('uplot/dist/uPlot.iife.min.js') },
};

/** name → asset; a file that is missing (UI not built) is simply absent and answers 404. */
export function loadAssets(): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const ui: typeof SOURCES = {};
  try {
    for (const f of readdirSync(UI_DIR)) if (f.endsWith('.js')) ui[f] = { type: 'text/javascript; charset=utf-8', path: () => new URL(f, UI_DIR) };
  } catch {
    // Not built: the page loads but its script answers 404.
  }
  for (const [name, { type, path }] of Object.entries({ ...SOURCES, ...ui })) {
    try {
      out.set(name, { type, body: readFileSync(path()) });
    } catch {
      // Left out: the route answers 404 for it.
    }
  }
  return out;
}
