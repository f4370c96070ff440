import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessPolicy } from '../../../../src/access/AccessPolicy.js';
import { AnonymousAuthenticator, type Authenticator } from '../../../../src/auth/Authenticator.js';
import { createApp } from '../../../../src/http/app.js';
import { createHttpServer } from '../../../../src/http/httpServer.js';
import type { CatalogReads, Publishing, RegistryAdmin } from '../../../../src/http/ports.js';
import type { WellKnownDeps } from '../../../../src/http/routes/wellKnown.js';
import { createLogger } from '../../../../src/observability/logger.js';
import { createMetrics } from '../../../../src/observability/metrics.js';
import { testConfig } from '../../../helpers/gateway.js';
import { FakeCatalog, FakeHealth, FakePublishing, FakeRegistryAdmin, type FakeEntry } from './fakes.js';
import { OpenApiResponses } from './openApiResponses.js';

/** An app built by `createApp` on fakes, listening on a loopback port. */
export interface FakeApp {
  url: string;
  catalog: FakeCatalog;
  registries: FakeRegistryAdmin;
  publisher: FakePublishing;
  health: FakeHealth;
  /** Validates responses against the OpenAPI document this app serves. */
  openapi: OpenApiResponses;
  /** Fetches `path`, checks the response against the OpenAPI document, returns status, headers, body. */
  call(method: string, path: string, init?: { headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

/** The fixture: a managed registry `internal` (priority 0) and a file registry `official`. */
export const ENTRIES: FakeEntry[] = [
  { registry: 'internal', name: 'com.acme/weather', version: '1.0.0', status: 'active', isLatest: true },
  { registry: 'official', name: 'com.acme/weather', version: '0.9.0', status: 'active', isLatest: true },
  { registry: 'official', name: 'io.github.pub/tool', version: '1.0.0', status: 'active', isLatest: false },
  { registry: 'official', name: 'io.github.pub/tool', version: '2.0.0', status: 'active', isLatest: true },
  { registry: 'official', name: 'io.github.pub/secret', version: '1.0.0', status: 'active', isLatest: true },
];

/**
 * Builds the app with the real config schema, access policy, error handling and HTTP server, and
 * fakes for the services (`overrides` replaces any of them; `raw` is merged into the config).
 */
export async function startFakeApp(options: {
  raw?: Record<string, unknown>;
  authenticator?: Authenticator;
  catalog?: CatalogReads;
  registries?: RegistryAdmin;
  publisher?: Publishing;
  /** RFC 9728 metadata inputs (auth on). */
  wellKnown?: WellKnownDeps;
} = {}): Promise<FakeApp> {
  const config = testConfig({
    registries: [
      { name: 'internal', type: 'managed' },
      { name: 'official', type: 'file', path: 'official.json', watch: false },
    ],
    server: { port: 0, host: '127.0.0.1' },
    ...options.raw,
  });
  const names = config.registries.map((r) => r.name);
  const catalog = new FakeCatalog(names, ENTRIES.map((e) => ({ ...e })));
  const registries = new FakeRegistryAdmin(config.registries);
  const publisher = new FakePublishing(config.registries, catalog, config.publish.defaultRegistry);
  const health = new FakeHealth();
  const authenticator = options.authenticator ?? new AnonymousAuthenticator();
  const app = createApp({
    config,
    logger: createLogger({ silent: true, level: 'error', format: 'json' }),
    catalog: options.catalog ?? catalog,
    registries: options.registries ?? registries,
    publisher: options.publisher ?? publisher,
    access: new AccessPolicy(config.access, names, !authenticator.enabled),
    authenticator,
    health,
    metrics: createMetrics(),
    ...(options.wellKnown ? { wellKnown: options.wellKnown } : {}),
  });
  const server = await new Promise<Server>((resolve) => {
    const s = createHttpServer(app, config.server, createLogger({ silent: true, level: 'error', format: 'json' }));
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const openapi = new OpenApiResponses((await (await fetch(`${url}/openapi.json`)).json()) as Record<string, unknown>);
  return {
    url,
    catalog,
    registries,
    publisher,
    health,
    openapi,
    async call(method, path, init = {}) {
      const res = await fetch(url + path, { method, redirect: 'manual', ...init });
      const body = await openapi.check(method, url + path, res.clone());
      return { status: res.status, headers: res.headers, body };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
