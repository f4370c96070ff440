import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Script } from 'node:vm';
import express from 'express';
import { GATEWAY_META_KEY, OFFICIAL_META_KEY } from '../../../src/catalog/types.js';
import { buildOpenApiDocument } from '../../../src/http/openapi.js';
import { docsRoutes } from '../../../src/http/routes/docs.js';

type Json = Record<string, unknown>;

const build = (authEnabled: boolean, publicUrl?: string) =>
  buildOpenApiDocument({ version: '1.2.3', authEnabled, gatewayMetaKey: GATEWAY_META_KEY, ...(publicUrl ? { publicUrl } : {}) });

/** Every route of DESIGN §2 and the methods it must document. */
const EXPECTED: Record<string, string[]> = {
  '/v0.1/servers': ['get'],
  '/v0.1/servers/{serverName}/versions': ['get'],
  '/v0.1/servers/{serverName}/versions/{version}': ['get'],
  '/{registryName}/v0.1/servers': ['get'],
  '/{registryName}/v0.1/servers/{serverName}/versions': ['get'],
  '/{registryName}/v0.1/servers/{serverName}/versions/{version}': ['get', 'put', 'delete'],
  '/{registryName}/v0.1/servers/{serverName}/versions/{version}/status': ['patch'],
  '/{registryName}/v0.1/servers/{serverName}/status': ['patch'],
  '/v0.1/publish': ['post'],
  '/{registryName}/v0.1/publish': ['post'],
  '/v0.1/registries': ['get'],
  '/v0.1/registries/{registryName}': ['get'],
  '/v0.1/registries/{registryName}/sync': ['post'],
  '/v0.1/audit': ['get'],
  '/v0.1/health': ['get'],
  '/livez': ['get'],
  '/readyz': ['get'],
  '/metrics': ['get'],
  '/openapi.json': ['get'],
  '/docs': ['get'],
  '/v0.1/events': ['get'],
  '/{registryName}/v0.1/events': ['get'],
  '/v0.1/webhooks': ['get'],
  '/v0.1/webhooks/{webhookName}/redeliver': ['post'],
};
const WELL_KNOWN = '/.well-known/oauth-protected-resource';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function resolvePointer(doc: Json, ref: string): unknown {
  assert.ok(ref.startsWith('#/'), `only local refs expected, got ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined), doc);
}

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

function hasKeyDeep(node: unknown, key: string): boolean {
  if (Array.isArray(node)) return node.some((n) => hasKeyDeep(n, key));
  if (node && typeof node === 'object') return Object.entries(node).some(([k, v]) => k === key || hasKeyDeep(v, key));
  return false;
}

function operations(doc: Json): Array<{ path: string; method: string; op: Json }> {
  const out: Array<{ path: string; method: string; op: Json }> = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) if (METHODS.includes(method)) out.push({ path, method, op: op as Json });
  }
  return out;
}

const deref = (doc: Json, node: unknown): Json => {
  let n = node as Json;
  while (n && typeof n.$ref === 'string') n = resolvePointer(doc, n.$ref) as Json;
  return n;
};

describe('buildOpenApiDocument', () => {
  for (const authEnabled of [false, true]) {
    describe(`authEnabled=${authEnabled}`, () => {
      const doc = build(authEnabled);

      it('is OpenAPI 3.1.0 with the given version', () => {
        assert.equal(doc.openapi, '3.1.0');
        assert.equal((doc.info as Json).version, '1.2.3');
        assert.doesNotThrow(() => JSON.parse(JSON.stringify(doc)));
      });

      it('documents every route with the right methods', () => {
        const paths = doc.paths as Record<string, Json>;
        for (const [path, methods] of Object.entries(EXPECTED)) {
          assert.ok(paths[path], `missing path ${path}`);
          const documented = Object.keys(paths[path] as Json).filter((k) => METHODS.includes(k)).sort();
          assert.deepEqual(documented, [...methods].sort(), `methods of ${path}`);
        }
        assert.equal(WELL_KNOWN in paths, authEnabled, 'RFC 9728 metadata is documented only when auth is on');
        if (authEnabled) assert.deepEqual(Object.keys(paths[WELL_KNOWN] as Json), ['get']);
      });

      it('resolves every $ref to an existing component', () => {
        const refs = collectRefs(doc);
        assert.ok(refs.length > 20);
        for (const ref of new Set(refs)) {
          assert.match(ref, /^#\/components\/(schemas|parameters|responses|headers|requestBodies)\/[^/]+$/);
          assert.notEqual(resolvePointer(doc, ref), undefined, `dangling $ref ${ref}`);
        }
      });

      it('declares every path parameter of every operation, with unique operationIds', () => {
        const ids = new Set<string>();
        for (const { path, method, op } of operations(doc)) {
          const id = op.operationId as string;
          assert.ok(id, `${method} ${path} has an operationId`);
          assert.ok(!ids.has(id), `duplicate operationId ${id}`);
          ids.add(id);
          const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
          const declared = ((op.parameters as unknown[] | undefined) ?? [])
            .map((p) => deref(doc, p))
            .filter((p) => p.in === 'path')
            .map((p) => p.name as string)
            .sort();
          assert.deepEqual(declared, templated, `path parameters of ${method} ${path}`);
        }
      });

      it('serves every 4xx/5xx as application/problem+json', () => {
        let count = 0;
        for (const { path, method, op } of operations(doc)) {
          for (const [code, response] of Object.entries(op.responses as Json)) {
            if (!/^[45]/.test(code)) continue;
            const content = deref(doc, response).content as Json;
            assert.deepEqual(Object.keys(content), ['application/problem+json'], `${method} ${path} ${code}`);
            count++;
          }
        }
        assert.ok(count > 50);
        const problem = (doc.components as Json).schemas as Record<string, Json>;
        assert.deepEqual((problem.Problem as Json).required, ['title', 'status', 'detail', 'code']);
      });

      it('documents limit as 1..100, default 30, and the list query parameters', () => {
        const op = (doc.paths as Record<string, Record<string, Json>>)['/v0.1/servers']?.get as Json;
        const params = (op.parameters as unknown[]).map((p) => deref(doc, p));
        assert.deepEqual(params.map((p) => p.name).sort(), ['cursor', 'include_deleted', 'limit', 'search', 'updated_since', 'version']);
        const limit = params.find((p) => p.name === 'limit') as Json;
        assert.equal(limit.in, 'query');
        assert.deepEqual(limit.schema, { type: 'integer', minimum: 1, maximum: 100, default: 30 });
        const perRegistry = (doc.paths as Record<string, Record<string, Json>>)['/{registryName}/v0.1/servers']?.get as Json;
        assert.deepEqual(
          (perRegistry.parameters as unknown[]).map((p) => deref(doc, p).name).sort(),
          ['cursor', 'include_deleted', 'limit', 'registryName', 'search', 'updated_since', 'version'],
        );
      });

      it('describes the official and gateway _meta blocks of ServerResponse', () => {
        const schemas = (doc.components as Json).schemas as Record<string, Json>;
        const meta = ((schemas.ServerResponse as Json).properties as Record<string, Json>)._meta as Json;
        const props = meta.properties as Record<string, unknown>;
        const official = deref(doc, props[OFFICIAL_META_KEY]).properties as Json;
        assert.deepEqual(Object.keys(official).sort(), ['isLatest', 'publishedAt', 'status', 'statusChangedAt', 'statusMessage', 'updatedAt']);
        const gateway = deref(doc, props[GATEWAY_META_KEY]).properties as Json;
        assert.deepEqual(Object.keys(gateway).sort(), ['alsoIn', 'registry', 'syncedAt', 'upstreamUpdatedAt']);
        assert.equal((schemas.ServerJSON as Json).additionalProperties, true);
        for (const name of ['Registry', 'SyncStatus', 'ServerList', 'Problem']) assert.ok(schemas[name], name);
      });

      it('includes the security block only when auth is enabled', () => {
        const components = doc.components as Json;
        if (authEnabled) {
          assert.deepEqual(doc.security, [{}, { bearerAuth: [] }]);
          assert.deepEqual((components.securitySchemes as Record<string, Json>).bearerAuth?.scheme, 'bearer');
          assert.equal((components.securitySchemes as Record<string, Json>).bearerAuth?.type, 'http');
        } else {
          assert.equal('security' in doc, false);
          assert.equal('securitySchemes' in components, false);
          assert.equal(hasKeyDeep(doc, 'security'), false);
          assert.equal(hasKeyDeep(doc, 'securitySchemes'), false);
        }
      });
    });
  }

  it('sets servers only when publicUrl is given', () => {
    assert.equal('servers' in build(false), false);
    assert.deepEqual(build(false, 'https://mcp.example.com').servers, [{ url: 'https://mcp.example.com' }]);
  });

  it('follows the configured page sizes', () => {
    const doc = buildOpenApiDocument({ version: '0', authEnabled: false, gatewayMetaKey: GATEWAY_META_KEY, maxPageSize: 500, defaultPageSize: 50 });
    const limit = ((doc.components as Json).parameters as Record<string, Json>).Limit as Json;
    assert.deepEqual(limit.schema, { type: 'integer', minimum: 1, maximum: 500, default: 50 });
  });
});

describe('docsRoutes', () => {
  it('serves /openapi.json and /docs: Swagger UI bundled offline under a strict CSP', async () => {
    const document = build(true, 'http://localhost:8080');
    const routes: string[] = [];
    const app = express();
    app.use((req, res, next) => {
      res.on('finish', () => routes.push(`${req.path}=${String(res.locals.route)}`));
      next();
    });
    app.use(docsRoutes({ document }));
    const server = app.listen(0, '127.0.0.1');
    try {
      await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

      const spec = await fetch(`${base}/openapi.json`);
      assert.equal(spec.status, 200);
      assert.match(spec.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await spec.json(), JSON.parse(JSON.stringify(document)));

      const docs = await fetch(`${base}/docs`);
      assert.equal(docs.status, 200);
      assert.match(docs.headers.get('content-type') ?? '', /^text\/html/);
      const html = await docs.text();
      assert.match(html, /<noscript>[\s\S]*\/openapi\.json[\s\S]*<\/noscript>/);
      assert.doesNotMatch(html, /(src|href)=["']?(https?:)?\/\//i, 'no external resources');
      assert.doesNotMatch(html, /<script>/, 'no inline script');
      const csp = docs.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);

      const scripts = [...html.matchAll(/<script src="\.\/([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(scripts, ['docs/assets/swagger-ui-bundle.js', 'docs/assets/init.js']);
      for (const asset of [...scripts, 'docs/assets/swagger-ui.css']) {
        const res = await fetch(`${base}/${asset}`);
        assert.equal(res.status, 200, asset);
        assert.ok((await res.arrayBuffer()).byteLength > 100, asset);
      }
      const init = await (await fetch(`${base}/docs/assets/init.js`)).text();
      assert.doesNotThrow(() => new Script(init));
      assert.match(init, /validatorUrl: null/, 'no external validator badge');
      assert.equal((await fetch(`${base}/docs/assets/package.json`)).status, 404, 'only the listed files are served');
      routes.length = 0;
      await fetch(`${base}/openapi.json`);
      await fetch(`${base}/docs`);
      assert.deepEqual(routes, ['/openapi.json=openapi', '/docs=docs']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
