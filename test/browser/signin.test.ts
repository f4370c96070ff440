/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../../devServices/redis.mjs';
import { server } from '../helpers/corpus.js';
import { collectPageErrors, launchBrowser } from '../helpers/browser.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../helpers/gateway.js';
import { startTestIdp, type TestIdp } from '../helpers/idp.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const USERS = [
  { id: 'alice', password: 'alice-pw', groups: ['engineering'], name: 'Alice Example' },
  { id: 'root', password: 'root-pw', groups: ['registry-admins'], name: 'Root Admin' },
];

describe('console sign-in with auth.mode oidc (authorization code + PKCE, backend-for-frontend)', () => {
  let redis: TestRedis;
  let idp: TestIdp;
  let gw: TestGateway;
  let browser: Browser;
  let prefix: string;

  before(async () => {
    redis = await startTestRedis();
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await startTestIdp([], {
      consoleClient: { id: 'mcp-console', secret: 'console-secret', redirectUris: [`${publicUrl}/ui/auth/callback`], postLogoutRedirectUris: [`${publicUrl}/ui/`] },
      users: USERS,
    });
    const dir = tempDir();
    writeJson(dir, 'curated.json', [
      server('io.github.acme/visible-one', '1.0.0'),
      server('io.github.acme/visible-two', '1.0.0'),
      server('io.github.secret/hidden-one', '1.0.0'),
      server('io.github.secret/hidden-two', '1.0.0'),
    ]);
    prefix = redis.prefix();
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix,
      dir,
      env: { UI_CLIENT_SECRET: 'console-secret' },
      raw: {
        server: { port, publicUrl },
        registries: [
          { name: 'internal', type: 'managed' },
          { name: 'curated', type: 'file', path: 'curated.json', watch: false },
        ],
        auth: {
          mode: 'oidc',
          oidc: { issuer: idp.issuer, audience: idp.audience, ui: { clientId: 'mcp-console', clientSecretEnv: 'UI_CLIENT_SECRET', scopes: ['openid', 'profile', 'mcp-registry:read', 'mcp-registry:write'] } },
        },
        access: {
          admins: ['registry-admins'],
          rules: [
            { groups: ['$authenticated'], registries: ['*'], servers: ['*'], exclude: ['io.github.secret/*'] },
            { groups: ['engineering'], registries: ['internal'], publish: ['com.acme/*'] },
          ],
        },
      },
    });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await gw?.close();
    await idp?.close();
    await redis?.stop();
  });

  async function signIn(context: BrowserContext, user: (typeof USERS)[number]): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${gw.url}/ui/`);
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.waitForURL(`${idp.issuer}/**`);
    await page.getByRole('textbox', { name: 'Username' }).fill(user.id);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${gw.url}/ui/**`);
    await page.getByText(`Signed in as ${user.name}`).waitFor();
    return page;
  }

  /** The access token held for a browser context's session, read from Redis (the server side). */
  async function storedAccessTokens(): Promise<string[]> {
    const client = redis.client();
    const keys = await client.keys(`{${prefix}}:ui:session:*`);
    const values = await Promise.all(keys.map((k) => client.get(k)));
    return values.map((v) => (JSON.parse(v as string) as { accessToken: string }).accessToken);
  }

  it('an anonymous visitor who may see nothing is offered sign-in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${gw.url}/ui/`);
    await page.getByText('You need to sign in to see this.').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Sign in' }).count() >= 1, true);
    await context.close();
  });

  it('a user signs in and sees exactly their catalogue; admin pages are refused; no token is readable by page scripts', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, USERS[0] as (typeof USERS)[number]);
    const errors = collectPageErrors(page);
    const table = page.getByRole('table', { name: 'Servers' });
    await table.waitFor();
    const names = await table.getByRole('rowheader').allTextContents();
    assert.deepEqual(names, ['io.github.acme/visible-one', 'io.github.acme/visible-two']);
    const search = page.getByRole('searchbox', { name: 'Search servers' });
    await search.fill('hidden');
    await search.press('Enter');
    await page.getByText('No server matches “hidden”.').waitFor();

    await page.goto(`${gw.url}/ui/#/servers/${encodeURIComponent('io.github.secret/hidden-one')}`);
    await page.getByText('No such server (or it is not visible to you).').waitFor();

    assert.equal(await page.getByRole('link', { name: 'Registries' }).count(), 0, 'no admin navigation');
    assert.equal(await page.getByRole('link', { name: 'Publish' }).count(), 1, 'engineering may publish com.acme/*');
    await page.goto(`${gw.url}/ui/#/registries`);
    await page.getByText('You do not have access to this page.').waitFor();
    const status = await page.evaluate(async () => (await fetch('/v0.1/registries')).status);
    assert.equal(status, 403, 'the API behind the admin page says 403');
    assert.equal((await context.request.get(`${gw.url}/admin/queues`)).status(), 403, 'Bull Board is admin-only');

    const stored = JSON.parse((await redis.client().get(await sessionKey(context))) as string) as { accessToken: string; refreshToken: string; idToken: string };
    const tokens = [stored.accessToken, stored.refreshToken, stored.idToken];
    assert.ok(tokens.every((t) => typeof t === 'string' && t.length > 20), 'the session holds access, refresh and ID tokens server-side');
    const exposed = await page.evaluate(async () => ({
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      info: await (await fetch('/ui/session')).text(),
      html: document.documentElement.outerHTML,
    }));
    assert.equal(exposed.cookie, '', 'the session cookie is HttpOnly');
    for (const [where, text] of Object.entries(exposed)) for (const token of tokens) assert.ok(!text.includes(token), `no token in ${where}`);
    const cookies = await context.cookies();
    const sessionCookie = cookies.find((c) => c.name === 'mcpgw_session');
    assert.ok(sessionCookie?.httpOnly, 'HttpOnly');
    assert.equal(sessionCookie?.sameSite, 'Lax');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('refuses state-changing requests without the session CSRF token', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, USERS[1] as (typeof USERS)[number]);
    const results = await page.evaluate(async () => {
      const info = (await (await fetch('/ui/session')).json()) as { csrfToken: string };
      const without = await fetch('/v0.1/registries/curated/sync', { method: 'POST' });
      const wrong = await fetch('/v0.1/registries/curated/sync', { method: 'POST', headers: { 'X-CSRF-Token': 'forged' } });
      const right = await fetch('/v0.1/registries/curated/sync', { method: 'POST', headers: { 'X-CSRF-Token': info.csrfToken } });
      const logout = await fetch('/ui/auth/logout', { method: 'POST' });
      return { without: [without.status, without.headers.get('content-type'), ((await without.json()) as { detail: string }).detail], wrong: wrong.status, right: right.status, logout: logout.status };
    });
    assert.deepEqual(results.without.slice(0, 2), [403, 'application/problem+json; charset=utf-8']);
    assert.match(String(results.without[2]), /CSRF/);
    assert.equal(results.wrong, 403);
    assert.equal(results.right, 202);
    assert.equal(results.logout, 403, 'sign-out is CSRF-protected too');
    await context.close();
  });

  it('an admin signs in, sees every registry and syncs; sign-out ends the session at the IdP too', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, USERS[1] as (typeof USERS)[number]);
    const errors = collectPageErrors(page);
    const rows = page.getByRole('table', { name: 'Servers' }).getByRole('rowheader');
    // The catalogue renders after sign-in: wait for the fourth row before counting.
    await rows.nth(3).waitFor();
    const names = await rows.allTextContents();
    assert.equal(names.length, 4, 'admins see everything');
    await page.getByRole('link', { name: 'Registries' }).click();
    const table = page.getByRole('table', { name: 'Registries' });
    await table.getByRole('row', { name: /curated/ }).getByRole('button', { name: 'Sync now' }).click();
    await page.getByRole('status').getByText('Sync of curated requested.').waitFor();
    const queues = await context.request.get(`${gw.url}/admin/queues`);
    assert.equal(queues.status(), 200, 'Bull Board for admins');
    assert.match(queues.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    const board = await context.newPage();
    const outside: string[] = [];
    // Its page links a Google web font: the CSP must stop it before it leaves the browser.
    board.on('requestfinished', (r) => {
      if (!r.url().startsWith(gw.url) && !r.url().startsWith('data:')) outside.push(r.url());
    });
    await board.goto(`${gw.url}/admin/queues`);
    await board.getByText('sync', { exact: true }).first().waitFor();
    assert.deepEqual(outside, [], 'Bull Board fetches nothing from outside');
    await board.close();

    const before = (await storedAccessTokens()).length;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${idp.issuer}/session/end**`);
    assert.equal((await storedAccessTokens()).length, before - 1, 'the session is gone from Redis');
    assert.equal((await context.cookies()).some((c) => c.name === 'mcpgw_session'), false, 'the cookie is cleared');
    // The issuer ends its own session too, then sends the browser back to the console.
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${gw.url}/ui/**`);
    await page.getByText('You need to sign in to see this.').waitFor();
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByRole('textbox', { name: 'Username' }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  /** This browser context's session key in Redis (the cookie value is only stored hashed). */
  async function sessionKey(context: BrowserContext): Promise<string> {
    const cookie = (await context.cookies()).find((c) => c.name === 'mcpgw_session');
    assert.ok(cookie, 'a session cookie');
    return `{${prefix}}:ui:session:${createHash('sha256').update(cookie.value).digest('base64url')}`;
  }

  it('an expired access token is refreshed with the refresh token, and the session goes on', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, USERS[0] as (typeof USERS)[number]);
    const client = redis.client();
    const key = await sessionKey(context);
    const stored = JSON.parse((await client.get(key)) as string) as { accessToken: string; refreshToken?: string; accessExpiresAt: number };
    assert.ok(stored.refreshToken, 'the IdP issued a refresh token, kept server-side');
    await client.set(key, JSON.stringify({ ...stored, accessExpiresAt: Date.now() - 1000 }), 'KEEPTTL');
    await page.reload();
    await page.getByRole('table', { name: 'Servers' }).waitFor();
    await page.getByText('Signed in as Alice Example').waitFor();
    const renewed = JSON.parse((await client.get(key)) as string) as { accessToken: string; accessExpiresAt: number };
    assert.notEqual(renewed.accessToken, stored.accessToken, 'a new access token');
    assert.ok(renewed.accessExpiresAt > Date.now());
    assert.deepEqual(await page.getByRole('table', { name: 'Servers' }).getByRole('rowheader').allTextContents(), ['io.github.acme/visible-one', 'io.github.acme/visible-two'], 'with the same groups');
    await context.close();
  });

  it('a session whose access token expired and cannot be refreshed ends; the console offers sign-in again', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, USERS[0] as (typeof USERS)[number]);
    const client = redis.client();
    const key = await sessionKey(context);
    assert.equal(await client.exists(key), 1, 'this browser\'s session');
    const { refreshToken: _dropped, ...stored } = JSON.parse((await client.get(key)) as string) as { refreshToken?: string; accessExpiresAt: number };
    await client.set(key, JSON.stringify({ ...stored, accessExpiresAt: Date.now() - 1000 }), 'KEEPTTL');
    await page.reload();
    await page.getByText('You need to sign in to see this.').waitFor();
    assert.equal(await client.exists(key), 0, 'the session was deleted');
    assert.equal((await context.cookies()).some((c) => c.name === 'mcpgw_session'), false, 'and its cookie cleared');
    await context.close();
  });
});
