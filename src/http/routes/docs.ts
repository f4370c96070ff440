import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Router, type Response } from 'express';

/** Options of {@link docsRoutes}. */
export interface DocsRoutesOptions {
  /** The OpenAPI document to serve (see `buildOpenApiDocument`); serialised once. */
  document: Record<string, unknown>;
}

/** Swagger UI's prebuilt browser bundle (the `swagger-ui-dist` package), served from node_modules. */
const SWAGGER_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const VENDOR_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

// Starts the viewer on the gateway's own document; no external validator badge, no deep links in
// the URL fragment (the page stays one static document).
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: new URL('./openapi.json', location.href).href,
  dom_id: '#swagger-ui',
  deepLinking: false,
  validatorUrl: null,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

const PAGE_STYLE = 'body{margin:0}.docs-top{font:15px/1.5 system-ui,sans-serif;padding:.6rem 1.25rem;border-bottom:1px solid #d1d9e0}';

const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>API documentation · MCP Registry Gateway</title>
<link rel="stylesheet" href="./docs/assets/swagger-ui.css">
<link rel="stylesheet" href="./docs/assets/page.css">
</head>
<body>
<header class="docs-top">Machine-readable: <a href="./openapi.json">/openapi.json</a> (OpenAPI 3.1) · <a href="./ui/">Operator console</a></header>
<main id="swagger-ui"></main>
<noscript><p>This page needs JavaScript to render. Read the OpenAPI document directly: <a href="./openapi.json">/openapi.json</a>.</p></noscript>
<script src="./docs/assets/swagger-ui-bundle.js"></script>
<script src="./docs/assets/init.js"></script>
</body></html>
`;

/**
 * The docs page's CSP: scripts and styles from this origin only (no inline code), fetches to this
 * origin (the document, and "Try it out"). The browser test renders the page under it and fails on
 * any violation.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `GET /openapi.json` (the gateway's OpenAPI 3.1 document) and `GET /docs`: Swagger UI (the
 * well-kept `swagger-ui-dist` bundle, served from the installed package, so it works offline)
 * rendering that document, under a strict CSP. Neither route looks at credentials; mount the
 * router next to the health routes, before authentication.
 *
 * @param options - the document to serve.
 * @throws at start-up when `swagger-ui-dist` is not installed.
 */
export function docsRoutes(options: DocsRoutesOptions): Router {
  const router = Router();
  const body = JSON.stringify(options.document);
  const vendor = new Map(Object.entries(VENDOR_FILES).map(([file, type]) => [file, { type, bytes: readFileSync(path.join(SWAGGER_DIR, file)) }]));
  const own: Record<string, { type: string; text: string }> = {
    'init.js': { type: 'text/javascript; charset=utf-8', text: INIT_SCRIPT },
    'page.css': { type: 'text/css; charset=utf-8', text: PAGE_STYLE },
  };
  const page = (res: Response) => {
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    res.setHeader('Cache-Control', 'no-cache');
  };

  router.get('/openapi.json', (_req, res) => {
    res.locals.route = 'openapi';
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/json').send(body);
  });

  router.get('/docs', (_req, res) => {
    res.locals.route = 'docs';
    page(res);
    res.type('text/html; charset=utf-8').send(HTML);
  });

  router.get('/docs/assets/:file', (req, res, next) => {
    res.locals.route = 'docs.assets';
    const file = req.params.file;
    const asset = vendor.get(file) ?? (Object.hasOwn(own, file) ? own[file] : undefined);
    if (!asset) return next();
    page(res);
    res.type(asset.type).send('bytes' in asset ? asset.bytes : asset.text);
  });

  return router;
}
