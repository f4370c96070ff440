// The console shell: loads who the caller is (GET /ui/session), draws the navigation the caller
// may use, and routes `#/...` fragments to pages.
import { api, ApiError, setCsrfToken } from './api.js';
import { activityPage } from './activity.js';
import { cataloguePage } from './catalogue.js';
import { announce, h, notice, replace } from './dom.js';
import { publishPage } from './publish.js';
import { registriesPage } from './registries.js';
import { serverPage } from './server.js';

const SIGNIN_MESSAGES = {
  denied: 'Sign-in was cancelled or refused by the identity provider.',
  expired: 'The sign-in attempt expired. Please sign in again.',
  failed: 'Sign-in failed. Please try again.',
};

/** Shared state of the running console. */
const ctx = { session: null, cleanup: null };

function route() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  return { path, params: new URLSearchParams(query) };
}

/** Renders the sign-in prompt for a page that needs it. */
export function signInPrompt(main, what) {
  const s = ctx.session;
  replace(
    main,
    h('h1', {}, what),
    s?.signInAvailable && !s.signedIn
      ? h('p', {}, 'You need to sign in to see this. ', h('a', { href: signInHref() }, 'Sign in'))
      : notice('You do not have access to this page.', 'error'),
  );
}

function signInHref() {
  return `./auth/login?returnTo=${encodeURIComponent(location.hash || '#/')}`;
}

function renderChrome() {
  const s = ctx.session;
  const links = [['#/', 'Catalogue']];
  if (s.admin) links.push(['#/registries', 'Registries']);
  if (s.publishTo.length > 0) links.push(['#/publish', 'Publish']);
  if (s.admin) links.push(['#/activity', 'Activity']);
  const current = '#' + route().path;
  const active = (href) => (href === '#/' ? current === '#/' || current.startsWith('#/servers') : current.startsWith(href));
  replace(document.getElementById('nav'), links.map(([href, label]) => h('li', {}, h('a', { href, 'aria-current': active(href) ? 'page' : null }, label))));
  if (s.admin) document.getElementById('nav').append(h('li', {}, h('a', { href: '../admin/queues' }, 'Queues')));
  const account = document.getElementById('account');
  if (s.signedIn) {
    replace(account, h('span', { class: 'who' }, `Signed in as ${s.user.name ?? s.user.subject}`), h('button', { type: 'button', onclick: signOut }, 'Sign out'));
  } else if (s.signInAvailable) {
    replace(account, h('a', { class: 'button', href: signInHref() }, 'Sign in'));
  } else {
    replace(account, h('span', { class: 'who' }, s.authMode === 'none' ? 'Authentication is off' : 'Anonymous'));
  }
}

async function signOut() {
  try {
    const { redirectTo } = await api('/ui/auth/logout', { method: 'POST' });
    location.assign(redirectTo);
  } catch (err) {
    announce(`Sign-out failed: ${err.message}`, 'error');
  }
}

async function render() {
  ctx.cleanup?.();
  ctx.cleanup = null;
  renderChrome();
  const main = document.getElementById('main');
  const { path, params } = route();
  const page = pages.find(([re]) => re.test(path));
  if (!page) {
    replace(main, h('h1', {}, 'Not found'), notice('There is no such page in the console.'), h('p', {}, h('a', { href: '#/' }, 'Back to the catalogue')));
    return;
  }
  try {
    ctx.cleanup = (await page[1]({ main, params, match: path.match(page[0]), session: ctx.session, signInPrompt: (what) => signInPrompt(main, what) })) ?? null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signInPrompt(main, 'Sign in');
    else replace(main, h('h1', {}, 'Something went wrong'), notice(err.message, 'error'));
  }
}

const pages = [
  [/^\/$/, cataloguePage],
  [/^\/servers\/([^/]+)$/, serverPage],
  [/^\/registries$/, registriesPage],
  [/^\/publish$/, publishPage],
  [/^\/activity$/, activityPage],
];

async function start() {
  const params = new URLSearchParams(location.search);
  const signin = params.get('signin');
  ctx.session = await api('/ui/session');
  setCsrfToken(ctx.session.csrfToken);
  if (signin) {
    history.replaceState(null, '', location.pathname + location.hash);
    announce(SIGNIN_MESSAGES[signin] ?? 'Sign-in failed.', 'error');
  }
  window.addEventListener('hashchange', () => {
    render();
    document.getElementById('main').focus({ preventScroll: true });
  });
  await render();
}

start().catch((err) => {
  replace(document.getElementById('main'), h('h1', {}, 'The console could not start'), notice(err.message, 'error'));
});
