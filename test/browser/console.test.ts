/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { server } from '../helpers/corpus.js';
import { collectPageErrors, launchBrowser } from '../helpers/browser.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fakeUpstream.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs');
const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/** 45 curated servers (3 pages of 20), a few about weather, one with a package and a remote. */
function curated() {
  const out = [];
  for (let i = 0; i < 45; i++) {
    const name = `io.example.curated/server-${String(i).padStart(2, '0')}`;
    const extra: Record<string, unknown> = { title: `Curated ${i}`, description: i % 10 === 3 ? `Weather forecasts, edition ${i}` : `Curated server ${i}` };
    if (i === 3) {
      extra.packages = [{ registryType: 'npm', identifier: '@example/weather-mcp', version: '1.2.3', transport: { type: 'stdio' } }];
      extra.remotes = [{ type: 'streamable-http', url: 'https://weather.example.com/mcp' }];
    }
    out.push(server(name, '1.0.0', extra));
    if (i === 3) out.push(server(name, '1.1.0', extra));
  }
  return out;
}

describe('operator console in Chromium (auth.mode none)', () => {
  let redis: TestRedis;
  let upstream: FakeUpstream;
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    redis = await startTestRedis();
    upstream = await startFakeUpstream([server('io.example.upstream/alpha', '1.0.0'), server('io.example.upstream/beta', '2.0.0')]);
    // The upstream fails until the test repairs it, so "Sync now" has a visible effect.
    upstream.fault = { kind: 'status', status: 500, times: 1_000 };
    const dir = tempDir();
    writeJson(dir, 'curated.json', curated());
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      raw: {
        registries: [
          { name: 'internal', type: 'managed' },
          { name: 'curated', type: 'file', path: 'curated.json', watch: false },
          { name: 'community', type: 'upstream', url: upstream.url, sync: { interval: '1h', maxRequestsPerSecond: 100 } },
        ],
        access: { admins: ['$anonymous'] },
        publish: { allowAnonymous: true },
      },
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    errors = collectPageErrors(page);
  });

  after(async () => {
    await browser?.close();
    await gw?.close();
    await upstream?.close();
    await redis?.stop();
  });

  it('serves /ui/ with a strict CSP, bundled assets only', async () => {
    const res = await gw.get('/ui/');
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    const html = await res.text();
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'no external resources');
    assert.equal((await gw.get('/ui')).status, 200, '/ui redirects to /ui/');
  });

  it('catalogue: a labelled search box, registry filter and paging', async () => {
    await page.goto(`${gw.url}/ui/`);
    const search = page.getByRole('searchbox', { name: 'Search servers' });
    await search.waitFor();
    const table = page.getByRole('table', { name: 'Servers' });
    await table.waitFor();
    const rows = table.getByRole('row');
    assert.equal(await rows.count(), 21, 'header + 20 rows on the first page');
    assert.equal(await page.getByRole('link', { name: 'io.example.curated/server-00' }).count(), 1);
    await page.screenshot({ path: (mkdirSync(DOCS, { recursive: true }), path.join(DOCS, 'console-catalogue.png')) });

    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('link', { name: 'io.example.curated/server-20' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'io.example.curated/server-00' }).count(), 0);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('link', { name: 'io.example.curated/server-40' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true, 'last page');
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByRole('link', { name: 'io.example.curated/server-20' }).waitFor();

    await search.fill('weather');
    await search.press('Enter');
    await page.getByRole('link', { name: 'io.example.curated/server-03' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length === 5);
    assert.equal(await rows.count(), 6, 'five weather servers');

    await page.getByRole('combobox', { name: 'Registry' }).selectOption('internal');
    await page.getByText('No server matches “weather”.').waitFor();
    assert.deepEqual(errors, []);
  });

  it('is keyboard usable: skip link, search, paging and links without a mouse', async () => {
    await page.goto(`${gw.url}/ui/`);
    await page.getByRole('table', { name: 'Servers' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content', 'the first stop skips the navigation');
    await page.getByRole('searchbox', { name: 'Search servers' }).focus();
    await page.keyboard.type('edition 13');
    await page.keyboard.press('Enter');
    const link = page.getByRole('link', { name: 'io.example.curated/server-13' });
    await link.waitFor();
    await link.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Curated 13' }).waitFor();
    await page.goto(`${gw.url}/ui/`);
    const next = page.getByRole('button', { name: 'Next page' });
    await next.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'io.example.curated/server-20' }).waitFor();
  });

  it('a server page: versions, status, packages, remotes, holders and the VS Code install link', async () => {
    await page.goto(`${gw.url}/ui/#/?q=weather`);
    await page.getByRole('link', { name: 'io.example.curated/server-03' }).click();
    await page.getByRole('heading', { level: 1, name: 'Curated 3' }).waitFor();
    const versions = page.getByRole('table', { name: 'Versions' });
    assert.equal(await versions.getByRole('row').count(), 3, 'two versions');
    assert.equal(await versions.getByRole('rowheader', { name: '1.1.0' }).count(), 1);
    assert.equal(await page.getByRole('table', { name: 'Packages' }).getByRole('rowheader', { name: '@example/weather-mcp' }).count(), 1);
    assert.equal(await page.getByRole('table', { name: 'Remotes' }).getByRole('rowheader', { name: 'https://weather.example.com/mcp' }).count(), 1);
    assert.match((await page.locator('dl.facts').textContent()) ?? '', /Held bycurated/);
    const href = (await page.getByRole('link', { name: 'Install in VS Code' }).getAttribute('href')) ?? '';
    assert.ok(href.startsWith('vscode:mcp/install?'), href);
    assert.deepEqual(JSON.parse(decodeURIComponent(href.slice('vscode:mcp/install?'.length))), { name: 'server-03', type: 'http', url: 'https://weather.example.com/mcp' });
    assert.match((await page.locator('#vscode-snippet').textContent()) ?? '', /"servers"/);
    assert.equal(await page.getByRole('button', { name: 'Copy snippet' }).count(), 1);
    assert.deepEqual(errors, []);
  });

  it('registries (admin): a table with a row per registry; "Sync now" changes the status', async () => {
    await page.goto(`${gw.url}/ui/#/registries`);
    const table = page.getByRole('table', { name: 'Registries' });
    await table.waitFor();
    assert.equal(await table.getByRole('row').count(), 4, 'header + three registries');
    const community = table.getByRole('row', { name: /community/ });
    await community.getByText('failed').waitFor({ timeout: 20_000 });
    assert.match((await community.textContent()) ?? '', /HTTP 500|500/, 'the last error is shown');
    assert.equal(await table.getByRole('row', { name: /internal/ }).getByRole('button').count(), 0, 'managed registries are not synced');
    assert.equal(await community.getByRole('button', { name: 'Full resync' }).count(), 1);

    upstream.fault = undefined;
    await community.getByRole('button', { name: 'Sync now' }).click();
    await page.getByRole('status').getByText('Sync of community requested.').waitFor();
    await community.getByText('complete').waitFor({ timeout: 20_000 });
    assert.equal(await community.getByRole('cell', { name: '2', exact: true }).count() >= 1, true, 'two servers synced');
    await page.screenshot({ path: path.join(DOCS, 'console-registries.png') });
    const metrics = await (await gw.get('/metrics')).text();
    assert.match(metrics, /^mcpgw_registry_servers\{registry="community"\} 2$/m, 'the sync-health gauges follow the status');
    assert.match(metrics, /^mcpgw_registry_consecutive_failures\{registry="community"\} 0$/m);
    assert.match(metrics, /^mcpgw_registry_last_success_timestamp_seconds\{registry="community"\} \d+/m);
    assert.match(metrics, /^mcpgw_redis_up 1$/m);
    assert.deepEqual(errors, []);
  });

  it('publish: field-level validation errors, then success (pasted and uploaded); deprecate and delete versions', async () => {
    await page.goto(`${gw.url}/ui/#/publish`);
    const box = page.getByRole('textbox', { name: 'server.json' });
    await box.fill(JSON.stringify({ $schema: SCHEMA, name: 'com.acme/weather', version: '1.0.0', description: 'x', packages: [{ registryType: 'npm', identifier: 'w', version: '1.0.0', transport: { type: 'carrier-pigeon' } }] }));
    await page.getByRole('button', { name: 'Publish' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /packages\[0\]\.transport/);
    assert.equal(await box.getAttribute('aria-invalid'), 'true');

    await box.fill(JSON.stringify({ $schema: SCHEMA, name: 'com.acme/weather', version: '1.0.0', description: 'Weather for Acme' }));
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Published com.acme/weather 1.0.0.').waitFor();
    assert.equal((await gw.json('/internal/v0.1/servers/com.acme%2Fweather/versions/1.0.0')).status, 200);

    await page.getByRole('textbox', { name: 'Server name' }).fill('com.acme/weather');
    await page.getByRole('button', { name: 'Show versions' }).click();
    await page.getByRole('button', { name: 'Deprecate' }).click();
    await page.getByRole('status').getByText('com.acme/weather 1.0.0 is now deprecated.').waitFor();
    const { body } = await gw.json<{ _meta: Record<string, { status: string }> }>('/internal/v0.1/servers/com.acme%2Fweather/versions/1.0.0');
    assert.equal(body._meta['io.modelcontextprotocol.registry/official']?.status, 'deprecated');

    // Upload instead of paste.
    const upload = { $schema: SCHEMA, name: 'com.acme/weather', version: '1.0.1', description: 'Weather for Acme, uploaded' };
    await page.getByLabel('Upload server.json').setInputFiles({ name: 'server.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(upload)) });
    await page.waitForFunction(() => (document.getElementById('publish-json') as HTMLTextAreaElement).value.includes('1.0.1'));
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Published com.acme/weather 1.0.1.').waitFor();

    // Delete asks first.
    await page.getByRole('button', { name: 'Show versions' }).click();
    const row = page.getByRole('table', { name: 'Versions of com.acme/weather in internal' }).getByRole('row', { name: /1\.0\.1/ });
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('status').getByText('com.acme/weather 1.0.1 deleted.').waitFor();
    const deleted = await gw.json<{ _meta: Record<string, { status: string }> }>('/internal/v0.1/servers/com.acme%2Fweather/versions/1.0.1?include_deleted=true');
    assert.equal(deleted.body._meta['io.modelcontextprotocol.registry/official']?.status, 'deleted');
    assert.deepEqual(errors, []);
  });

  it('activity (admin): recent audit events; webhooks shown as an empty state when absent', async () => {
    await page.goto(`${gw.url}/ui/#/activity`);
    const audit = page.getByRole('table', { name: 'Recent audit events' });
    await audit.waitFor();
    assert.ok((await audit.getByRole('rowheader', { name: 'registries.sync' }).count()) >= 1);
    assert.ok((await audit.getByRole('rowheader', { name: 'publish.publish' }).count()) >= 1);
    await page.getByRole('region', { name: 'Recent audit events' }).waitFor();
    await page.getByText(/No webhooks|Deliveries of/).first().waitFor();
  });

  it('API docs: Swagger UI renders the gateway\'s OpenAPI document offline, with no CSP violation', async () => {
    const docs = await browser.newPage();
    const docErrors = collectPageErrors(docs);
    const external: string[] = [];
    docs.on('request', (r) => {
      if (!r.url().startsWith(gw.url) && !r.url().startsWith('data:')) external.push(r.url());
    });
    await docs.goto(`${gw.url}/docs`);
    await docs.getByText('/v0.1/servers/{serverName}/versions/{version}', { exact: true }).first().waitFor();
    await docs.getByRole('heading', { name: /MCP Registry/ }).first().waitFor();
    assert.deepEqual(external, [], 'nothing loaded from outside the gateway');
    assert.deepEqual(docErrors, []);
    await docs.close();
  });

  it('refuses cross-site writes without a bearer token (CSRF), and the console works on a phone', async () => {
    const res = await gw.get('/v0.1/registries/community/sync', { method: 'POST', headers: { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone.goto(`${gw.url}/ui/`);
    await phone.getByRole('table', { name: 'Servers' }).waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal page scroll on a phone (overflow ${overflow}px)`);
    await phone.close();
  });
});
