// Registries (admins): one row per registry with its sync health, refreshed live; "Sync now" and
// "Full resync" call the admin API (POST /v0.1/registries/{name}/sync[?full=true]).
import { api, enc } from './api.js';
import { announce, h, notice, replace, table, time } from './dom.js';

export const REFRESH_MS = 3000;

export async function registriesPage({ main, session, signInPrompt }) {
  if (!session.admin) return signInPrompt('Registries');
  const body = h('div', {});
  const stamp = h('p', { class: 'summary' });
  replace(main, h('h1', {}, 'Registries'), h('p', {}, 'Sync health of every configured registry, in priority order. Refreshed every few seconds.'), stamp, body);

  let stopped = false;
  async function refresh() {
    try {
      const { registries } = await api('/v0.1/registries');
      if (stopped) return;
      replace(body, table('Registries', ['Registry', 'Type', 'Phase', 'Last sync', 'Last error', 'Servers', 'Versions', 'Next run', 'Actions'], registries.map(row), { id: 'registries' }));
      replace(stamp, 'Last refreshed ', time(new Date().toISOString()));
    } catch (err) {
      if (!stopped) replace(body, notice(`Could not load registries: ${err.message}`, 'error'));
    }
  }

  async function sync(name, full) {
    try {
      await api(`/v0.1/registries/${enc(name)}/sync`, { method: 'POST', query: { full: full ? 'true' : undefined } });
      announce(`${full ? 'Full resync' : 'Sync'} of ${name} requested.`);
    } catch (err) {
      announce(`Could not sync ${name}: ${err.message}`, 'error');
    }
    await refresh();
  }

  function row(r) {
    const s = r.syncStatus ?? {};
    const failed = s.phase === 'failed';
    const actions =
      r.type === 'managed'
        ? h('span', { class: 'muted' }, 'published here')
        : h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => sync(r.name, false) }, 'Sync now'), h('button', { type: 'button', class: 'secondary', onclick: () => sync(r.name, true) }, 'Full resync'));
    return h(
      'tr',
      { 'data-registry': r.name },
      h('th', { scope: 'row' }, r.name),
      h('td', {}, r.type),
      h('td', {}, h('span', { class: `badge ${s.phase}` }, s.phase ?? 'pending'), failed && s.attemptCount ? ` (${s.attemptCount}×)` : ''),
      h('td', {}, time(s.lastSyncTime, 'never')),
      h('td', { class: 'desc' }, failed ? s.message ?? '' : ''),
      h('td', { class: 'num' }, String(s.serverCount ?? 0)),
      h('td', { class: 'num' }, String(s.versionCount ?? 0)),
      h('td', {}, r.type === 'upstream' ? time(s.nextRunAt) : '—'),
      h('td', {}, actions),
    );
  }

  await refresh();
  const timer = setInterval(() => {
    if (!document.hidden) refresh();
  }, REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
