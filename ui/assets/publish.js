// Publish (users with publish rights): paste or upload a server.json, see validation errors by
// field, publish; and deprecate, reactivate or delete versions of managed registries.
import { api, ApiError, base, enc } from './api.js';
import { announce, h, notice, replace, table, time } from './dom.js';
import { serverHref } from './catalogue.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';

function registrySelect(id, names) {
  return h('select', { id, name: 'registry' }, names.map((n) => h('option', { value: n }, n)));
}

export async function publishPage({ main, session, signInPrompt }) {
  if (session.publishTo.length === 0) return signInPrompt('Publish');
  replace(main, h('h1', {}, 'Publish'), publishForm(session), manageSection(session));
}

function publishForm(session) {
  const registry = registrySelect('publish-registry', session.publishTo);
  const text = h('textarea', { id: 'publish-json', name: 'server', rows: '16', spellcheck: 'false', 'aria-describedby': 'publish-help', required: true });
  const file = h('input', { type: 'file', id: 'publish-file', accept: 'application/json,.json' });
  const errors = h('div', { id: 'publish-errors' });
  const result = h('div', { id: 'publish-result' });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (f) text.value = await f.text();
  });
  const showErrors = (title, items) => {
    text.setAttribute('aria-invalid', 'true');
    text.setAttribute('aria-describedby', 'publish-help publish-errors');
    replace(errors, h('div', { class: 'notice error', role: 'alert' }, h('h3', {}, title), items.length ? h('ul', {}, items.map(({ field, message }) => h('li', {}, field ? h('code', {}, field) : null, field ? ': ' : null, message))) : null));
  };
  const submit = async (e) => {
    e.preventDefault();
    replace(errors);
    replace(result);
    text.removeAttribute('aria-invalid');
    let body;
    try {
      body = JSON.parse(text.value);
    } catch (err) {
      return showErrors('server.json is not valid JSON', [{ field: 'body', message: err.message }]);
    }
    try {
      const stored = await api(`${base(registry.value)}/publish`, { method: 'POST', body });
      const { name, version } = stored.server;
      announce(`Published ${name} ${version} to ${registry.value}.`);
      replace(result, h('p', { class: 'notice ok' }, `Published ${name} ${version}. `, h('a', { href: serverHref(name, registry.value) }, 'View it')));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const items = (err.problem.errors ?? []).map((x) => ({ field: x.location ?? x.path ?? '', message: x.message ?? String(x) }));
      showErrors(`Not published: ${err.problem.detail ?? err.message}`, items);
    }
  };
  return h(
    'section',
    { 'aria-labelledby': 'publish-h' },
    h('h2', { id: 'publish-h' }, 'Publish a server version'),
    h(
      'form',
      { onsubmit: submit, novalidate: true },
      h('div', { class: 'field' }, h('label', { for: 'publish-registry' }, 'Registry'), registry),
      h('div', { class: 'field' }, h('label', { for: 'publish-file' }, 'Upload server.json'), file),
      h('div', { class: 'field wide' }, h('label', { for: 'publish-json' }, 'server.json'), text, h('p', { id: 'publish-help', class: 'muted' }, 'Paste a server.json (the official schema), or upload one above.')),
      errors,
      h('button', { type: 'submit' }, 'Publish'),
    ),
    result,
  );
}

function manageSection(session) {
  const registry = registrySelect('manage-registry', session.publishTo);
  const name = h('input', { type: 'text', id: 'manage-name', name: 'name', autocomplete: 'off', placeholder: 'io.github.acme/weather' });
  const out = h('div', { id: 'manage-versions' });
  async function load() {
    const reg = registry.value;
    const server = name.value.trim();
    if (!server) return;
    try {
      const data = await api(`${base(reg)}/servers/${enc(server)}/versions`, { query: { include_deleted: 'true' } });
      replace(
        out,
        table(
          `Versions of ${server} in ${reg}`,
          ['Version', 'Status', 'Published', 'Actions'],
          data.servers.map(({ server: s, _meta }) => {
            const m = _meta?.[OFFICIAL] ?? {};
            const status = m.status ?? 'active';
            const act = (label, fn) => h('button', { type: 'button', class: 'secondary', onclick: fn }, label);
            return h(
              'tr',
              {},
              h('th', { scope: 'row' }, s.version),
              h('td', {}, h('span', { class: `badge ${status}` }, status)),
              h('td', {}, time(m.publishedAt)),
              h(
                'td',
                {},
                h(
                  'div',
                  { class: 'actions' },
                  status !== 'deprecated' && status !== 'deleted' ? act('Deprecate', () => setStatus(reg, s, 'deprecated')) : null,
                  status !== 'active' ? act('Reactivate', () => setStatus(reg, s, 'active')) : null,
                  status !== 'deleted' ? act('Delete', () => remove(reg, s)) : null,
                ),
              ),
            );
          }),
        ),
      );
    } catch (err) {
      replace(out, notice(err.status === 404 ? `${server} is not in ${reg} (or not visible to you).` : err.message, 'error'));
    }
  }
  async function setStatus(reg, s, status) {
    try {
      await api(`${base(reg)}/servers/${enc(s.name)}/versions/${enc(s.version)}/status`, { method: 'PATCH', body: { status } });
      announce(`${s.name} ${s.version} is now ${status}.`);
    } catch (err) {
      announce(`Could not change the status: ${err.message}`, 'error');
    }
    await load();
  }
  async function remove(reg, s) {
    if (!confirm(`Delete ${s.name} ${s.version} from ${reg}? Downstream registries receive it as deleted.`)) return;
    try {
      await api(`${base(reg)}/servers/${enc(s.name)}/versions/${enc(s.version)}`, { method: 'DELETE' });
      announce(`${s.name} ${s.version} deleted.`);
    } catch (err) {
      announce(`Could not delete: ${err.message}`, 'error');
    }
    await load();
  }
  return h(
    'section',
    { 'aria-labelledby': 'manage-h' },
    h('h2', { id: 'manage-h' }, 'Manage versions'),
    h(
      'form',
      { class: 'filters', onsubmit: (e) => (e.preventDefault(), load()) },
      h('div', { class: 'field' }, h('label', { for: 'manage-registry' }, 'Managed registry'), registry),
      h('div', { class: 'field' }, h('label', { for: 'manage-name' }, 'Server name'), name),
      h('button', { type: 'submit' }, 'Show versions'),
    ),
    out,
  );
}
