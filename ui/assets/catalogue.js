// Catalogue: what this caller may see (the API's own evaluator), with search, registry filter and
// keyset paging (the API's opaque cursors, kept in a stack for "Previous page").
import { api, base, enc } from './api.js';
import { h, notice, replace, table } from './dom.js';

export const PAGE_SIZE = 20;
const OFFICIAL = 'io.modelcontextprotocol.registry/official';

/** Link to a server's page (in one registry's view when one is selected). */
export function serverHref(name, registry) {
  return `#/servers/${enc(name)}${registry ? `?registry=${enc(registry)}` : ''}`;
}

export async function cataloguePage({ main, params, session }) {
  const state = { q: params.get('q') ?? '', registry: params.get('registry') ?? '', cursors: [undefined], page: 0 };
  const results = h('div', { id: 'results' });
  const search = h('input', { type: 'search', id: 'catalogue-search', name: 'q', value: state.q, autocomplete: 'off', placeholder: 'name, title or description' });
  const registry = h(
    'select',
    { id: 'catalogue-registry', name: 'registry' },
    h('option', { value: '' }, 'All registries'),
    session.registries.map((r) => h('option', { value: r.name, selected: r.name === state.registry }, r.name)),
  );
  const form = h(
    'form',
    { role: 'search', class: 'filters', onsubmit: (e) => (e.preventDefault(), apply()) },
    h('div', { class: 'field' }, h('label', { for: 'catalogue-search' }, 'Search servers'), search),
    h('div', { class: 'field' }, h('label', { for: 'catalogue-registry' }, 'Registry'), registry),
    h('button', { type: 'submit' }, 'Search'),
  );
  replace(main, h('h1', {}, 'Catalogue'), form, results);

  let timer;
  // Search as you type (debounced); Enter applies at once. Either way a query already shown is not
  // reloaded, so the results (and the keyboard focus in them) stay put.
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (search.value.trim() !== state.q) apply();
    }, 300);
  });
  registry.addEventListener('change', apply);

  function apply() {
    clearTimeout(timer);
    state.q = search.value.trim();
    state.registry = registry.value;
    state.cursors = [undefined];
    state.page = 0;
    const query = new URLSearchParams();
    if (state.q) query.set('q', state.q);
    if (state.registry) query.set('registry', state.registry);
    const qs = query.toString();
    history.replaceState(null, '', `#/${qs ? `?${qs}` : ''}`);
    load().catch(() => undefined);
  }

  let generation = 0;
  async function load() {
    const mine = ++generation;
    results.setAttribute('aria-busy', 'true');
    let data;
    try {
      data = await api(`${base(state.registry)}/servers`, { query: { search: state.q, limit: PAGE_SIZE, cursor: state.cursors[state.page], version: 'latest' } });
    } catch (err) {
      if (mine === generation) replace(results, notice(err.status === 401 ? 'Sign in to see the catalogue.' : err.message, 'error'));
      results.removeAttribute('aria-busy');
      if (err.status === 401) throw err;
      return;
    }
    if (mine !== generation) return;
    results.removeAttribute('aria-busy');
    state.cursors[state.page + 1] = data.metadata.nextCursor;
    const rows = data.servers.map(({ server, _meta }) => {
      const official = _meta?.[OFFICIAL] ?? {};
      return h(
        'tr',
        {},
        h('th', { scope: 'row' }, h('a', { href: serverHref(server.name, state.registry) }, server.name)),
        h('td', {}, server.version),
        h('td', {}, h('span', { class: `badge ${official.status ?? 'active'}` }, official.status ?? 'active')),
        h('td', { class: 'desc' }, server.title ? `${server.title} — ${server.description ?? ''}` : server.description ?? ''),
      );
    });
    const from = state.page * PAGE_SIZE + 1;
    const summary = data.servers.length ? `Servers ${from}–${from + data.servers.length - 1}` : 'No servers match.';
    replace(
      results,
      h('p', { class: 'summary' }, summary),
      data.servers.length ? table('Servers', ['Server', 'Latest version', 'Status', 'Description'], rows) : notice(state.q ? `No server matches “${state.q}”.` : 'This catalogue is empty for you.'),
      h(
        'nav',
        { class: 'pager', 'aria-label': 'Pages' },
        h('button', { type: 'button', disabled: state.page === 0, onclick: () => (state.page--, load().catch(() => undefined)) }, 'Previous page'),
        h('span', {}, `Page ${state.page + 1}`),
        h('button', { type: 'button', disabled: !data.metadata.nextCursor, onclick: () => (state.page++, load().catch(() => undefined)) }, 'Next page'),
      ),
    );
  }

  await load();
  return () => clearTimeout(timer);
}
