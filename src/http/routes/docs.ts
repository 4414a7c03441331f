// GET /openapi.json and GET /docs: the OpenAPI document and Swagger UI rendering it. Swagger
// UI's files come from the installed swagger-ui-dist package — never a CDN, the machine may be
// offline — read once, on first request. The page's script is a file of ours rather than an
// inline one, so the Content-Security-Policy can forbid inline scripts and every other origin.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openApiJson } from '../openapi/document.js';

const require = createRequire(import.meta.url);
// swagger-ui-dist's main module loads the 1.5 MB bundle into Node; only its folder is needed.
const SWAGGER_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

const JS = 'text/javascript; charset=utf-8';

/** The files under /docs/, from swagger-ui-dist except our initializer. Listed in paths.ts too. */
export const DOCS_ASSETS: Record<string, { type: string; source: () => Promise<string | Buffer> }> = {
  'swagger-ui.css': { type: 'text/css; charset=utf-8', source: () => readFile(join(SWAGGER_DIR, 'swagger-ui.css')) },
  'swagger-ui-bundle.js': { type: JS, source: () => readFile(join(SWAGGER_DIR, 'swagger-ui-bundle.js')) },
  'swagger-ui-standalone-preset.js': { type: JS, source: () => readFile(join(SWAGGER_DIR, 'swagger-ui-standalone-preset.js')) },
  // Named in the page, so browsers do not ask for /favicon.ico (a 404 in every visit's log).
  'favicon-32x32.png': { type: 'image/png', source: () => readFile(join(SWAGGER_DIR, 'favicon-32x32.png')) },
  // validatorUrl null: Swagger UI would otherwise send the document to an outside validator.
  'swagger-initializer.js': {
    type: JS,
    source: async () => `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
};
`,
  },
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>mailtally API</title>
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/swagger-initializer.js"></script>
</body>
</html>
`;

// Swagger UI sets inline styles and shows inline SVG/data: images; scripts and requests stay
// on this origin.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export async function docsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(openApiJson()));

  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).send(PAGE));

  const loaded = new Map<string, Promise<string | Buffer>>();
  for (const [name, asset] of Object.entries(DOCS_ASSETS)) {
    app.get(`/docs/${name}`, async (_request, reply) => {
      let body = loaded.get(name);
      if (!body) loaded.set(name, (body = asset.source()));
      // A failed read is retried on the next request rather than cached.
      body.catch(() => loaded.delete(name));
      return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(await body);
    });
  }
}
