import { createHash } from 'node:crypto';
import { Router } from 'express';

/** Options of {@link docsRoutes}. */
export interface DocsRoutesOptions {
  /** The OpenAPI document to serve (see `buildOpenApiDocument`); serialised once. */
  document: Record<string, unknown>;
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:64rem;padding:1rem 1.5rem;color:#1f2328;background:#fff}
h1{margin:.2em 0}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:2em}
code{font:13px ui-monospace,monospace;background:#f3f4f6;padding:0 .25em;border-radius:3px}
details{border:1px solid #d0d7de;border-radius:6px;margin:.5em 0}summary{cursor:pointer;padding:.5em .75em}
details>div{padding:0 1em .75em}.m{display:inline-block;width:4.5em;font:bold 12px ui-monospace,monospace;text-transform:uppercase}
.get{color:#0969da}.post{color:#1a7f37}.put{color:#9a6700}.patch{color:#8250df}.delete{color:#cf222e}
.p{font-family:ui-monospace,monospace}.s{color:#57606a;margin-left:1em}.d{white-space:pre-line}
table{border-collapse:collapse;width:100%}td,th{border-top:1px solid #eaeef2;padding:.3em .5em;text-align:left;vertical-align:top}
.err{color:#cf222e}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}code{background:#262c36}.s{color:#9198a1}}
`;

const SCRIPT = `
const $ = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) rich(e, String(text)); return e; };
// Text with \`code\` spans (and **bold** markers dropped), built from text nodes only — never innerHTML.
function rich(el, text) { text.replace(/\\*\\*/g, '').split('\`').forEach((part, i) => { if (i % 2) { const c = document.createElement('code'); c.textContent = part; el.append(c); } else el.append(part); }); }
function deref(doc, o) { while (o && o.$ref) o = o.$ref.slice(2).split('/').reduce((a, k) => a && a[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc); return o || {}; }
function table(head, rows) { const t = $('table'); const h = $('tr'); head.forEach((x) => h.append($('th', '', x))); t.append(h);
  rows.forEach((r) => { const tr = $('tr'); r.forEach((x) => tr.append($('td', '', x))); t.append(tr); }); return t; }
function render(doc) {
  const main = document.getElementById('ops'); main.textContent = '';
  const info = doc.info || {}; document.title = info.title || document.title;
  document.getElementById('title').textContent = (info.title || 'API') + ' ' + (info.version || '');
  main.append($('p', 'd', info.description || ''));
  const groups = new Map((doc.tags || []).map((t) => [t.name, { tag: t, ops: [] }]));
  for (const [path, item] of Object.entries(doc.paths || {})) for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
    const op = item[method]; if (!op) continue;
    const name = (op.tags && op.tags[0]) || 'other';
    if (!groups.has(name)) groups.set(name, { tag: { name }, ops: [] });
    groups.get(name).ops.push({ path, method, op });
  }
  for (const { tag, ops } of groups.values()) {
    if (!ops.length) continue;
    main.append($('h2', '', tag.name));
    if (tag.description) main.append($('p', '', tag.description));
    for (const { path, method, op } of ops) {
      const d = $('details'); const s = $('summary');
      s.append($('span', 'm ' + method, method), $('span', 'p', path), $('span', 's', op.summary || ''));
      const body = $('div'); d.append(s, body);
      if (op.description) body.append($('p', 'd', op.description));
      const params = (op.parameters || []).map((p) => deref(doc, p));
      if (params.length) body.append($('h4', '', 'Parameters'), table(['Name', 'In', 'Type', 'Description'],
        params.map((p) => { const sc = p.schema || {}; const extra = [sc.default !== undefined ? 'default ' + sc.default : '',
          sc.minimum !== undefined ? sc.minimum + '..' + (sc.maximum ?? '') : ''].filter(Boolean).join(', ');
          return [p.name + (p.required ? ' *' : ''), p.in, (sc.type || '') + (extra ? ' (' + extra + ')' : ''), p.description || '']; })));
      if (op.requestBody) body.append($('h4', '', 'Request body'), $('p', '', Object.entries(deref(doc, op.requestBody).content || {})
        .map(([type, m]) => type + (m.schema && m.schema.$ref ? ': ' + m.schema.$ref.split('/').pop() : '')).join(', ')));
      body.append($('h4', '', 'Responses'), table(['Code', 'Description'],
        Object.entries(op.responses || {}).map(([code, r]) => { const x = deref(doc, r);
          const media = Object.entries(x.content || {}).map(([t, m]) => '\`' + t + (m.schema && m.schema.$ref ? ' ' + m.schema.$ref.split('/').pop() : '') + '\`');
          return [code, (x.description || '') + (media.length ? ' — ' + media.join(', ') : '')]; })));
      main.append(d);
    }
  }
}
fetch('./openapi.json', { headers: { accept: 'application/json' } })
  .then((r) => { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
  .then(render)
  .catch((e) => { const m = document.getElementById('ops'); m.textContent = ''; m.append($('p', 'err', 'Could not load openapi.json: ' + e.message)); });
`;

const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>API documentation</title><style>${STYLE}</style></head>
<body><h1 id="title">API documentation</h1>
<p>Machine-readable: <a href="./openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<main id="ops"><p>Loading…</p></main>
<noscript><p>This page needs JavaScript to render. Read the OpenAPI document directly: <a href="./openapi.json">/openapi.json</a>.</p></noscript>
<script>${SCRIPT}</script></body></html>
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** A strict CSP for the docs page: only its own inline script and style (by hash), and fetches to this origin. */
const DOCS_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `GET /openapi.json` (the gateway's OpenAPI 3.1 document) and `GET /docs` (a self-contained HTML
 * page — no external resources — that fetches the document and lists the operations by tag).
 * Neither route looks at credentials; mount the router next to the health routes, before
 * authentication.
 *
 * @param options - the document to serve.
 */
export function docsRoutes(options: DocsRoutesOptions): Router {
  const router = Router();
  const body = JSON.stringify(options.document);

  router.get('/openapi.json', (_req, res) => {
    res.locals.route = 'openapi';
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/json').send(body);
  });

  router.get('/docs', (_req, res) => {
    res.locals.route = 'docs';
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/html; charset=utf-8').send(HTML);
  });

  return router;
}
