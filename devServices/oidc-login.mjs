// The sign-in page of the local OpenID Provider (devServices/oidc-provider.mjs): a username/password
// form for a fixed list of users, and consent granted automatically (the console is a first-party
// client). For demos and tests only.

const PAGE_STYLE = 'body{font:16px system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}label,input,button{display:block;width:100%;margin:.3rem 0}input,button{padding:.5rem;font:inherit}p.err{color:#b00}';

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, error) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Sign in</title><style>${PAGE_STYLE}</style></head>
<body><main><h1>Sign in</h1>${error ? `<p class="err" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form></main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) break;
  }
  return new URLSearchParams(body);
}

/**
 * Koa middleware serving `/interaction/:uid` (login form, or automatic consent) and
 * `POST /interaction/:uid/login`.
 * @param {import('oidc-provider').default} provider
 * @param {Map<string, {id: string, password: string}>} users
 */
export function interactionRoutes(provider, users) {
  return async (ctx, next) => {
    const m = /^\/interaction\/([\w-]+)(\/login)?$/.exec(ctx.path);
    if (!m) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method === 'POST' && m[2]) {
      const form = await readForm(ctx.req);
      const user = users.get(form.get('username') ?? '');
      if (!user || user.password !== form.get('password')) {
        ctx.status = 401;
        ctx.type = 'html';
        ctx.body = loginPage(m[1], 'Unknown username or wrong password.');
        return;
      }
      ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: user.id } }, { mergeWithLastSubmission: false }));
      return;
    }
    if (details.prompt.name === 'consent') {
      const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      const missing = details.prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true }));
      return;
    }
    ctx.type = 'html';
    ctx.body = loginPage(m[1]);
  };
}
