// A server's page: its versions, status, packages and remotes, which registries hold it (as the
// API tells this caller), and how to install it in VS Code.
import { api, base, enc } from './api.js';
import { announce, h, notice, replace, table, time } from './dom.js';
import { installLink, mcpJsonSnippet, vscodeConfig } from './vscode.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';
const FEDERATION = 'io.github.mcp-registry-gateway/federation';

export async function serverPage({ main, params, match }) {
  const name = decodeURIComponent(match[1]);
  const registry = params.get('registry') ?? '';
  let data;
  try {
    data = await api(`${base(registry)}/servers/${enc(name)}/versions`);
  } catch (err) {
    if (err.status === 404) {
      replace(main, h('h1', {}, name), notice('No such server (or it is not visible to you).', 'error'), h('p', {}, h('a', { href: '#/' }, 'Back to the catalogue')));
      return;
    }
    throw err;
  }
  const entries = data.servers;
  const latest = entries.find((e) => e._meta?.[OFFICIAL]?.isLatest) ?? entries[0];
  const { server } = latest;
  const official = latest._meta?.[OFFICIAL] ?? {};
  const federation = latest._meta?.[FEDERATION] ?? {};
  const holders = [federation.registry, ...(federation.alsoIn ?? [])].filter(Boolean);

  const facts = [
    ['Status', h('span', { class: `badge ${official.status ?? 'active'}` }, official.status ?? 'active'), official.statusMessage ? ` ${official.statusMessage}` : ''],
    ['Latest version', server.version],
    ['Served from', federation.registry ?? registry ?? '—'],
    ['Held by', holders.length ? holders.join(', ') : '—'],
    ['Published', time(official.publishedAt)],
    ['Updated', time(official.updatedAt)],
    server.repository?.url ? ['Repository', h('a', { href: server.repository.url, rel: 'noopener noreferrer' }, server.repository.url)] : null,
    server.websiteUrl ? ['Website', h('a', { href: server.websiteUrl, rel: 'noopener noreferrer' }, server.websiteUrl)] : null,
  ].filter(Boolean);

  const versions = table(
    'Versions',
    ['Version', 'Status', 'Published', 'Latest'],
    entries.map((e) => {
      const m = e._meta?.[OFFICIAL] ?? {};
      return h('tr', {}, h('th', { scope: 'row' }, e.server.version), h('td', {}, h('span', { class: `badge ${m.status ?? 'active'}` }, m.status ?? 'active')), h('td', {}, time(m.publishedAt)), h('td', {}, m.isLatest ? 'yes' : ''));
    }),
  );
  const packages = (server.packages ?? []).length
    ? table(
        'Packages',
        ['Registry', 'Identifier', 'Version', 'Transport'],
        server.packages.map((p) => h('tr', {}, h('td', {}, p.registryType ?? ''), h('th', { scope: 'row' }, p.identifier ?? ''), h('td', {}, p.version ?? ''), h('td', {}, p.transport?.type ?? ''))),
      )
    : notice('No packages.');
  const remotes = (server.remotes ?? []).length
    ? table('Remotes', ['Type', 'URL'], server.remotes.map((r) => h('tr', {}, h('td', {}, r.type ?? ''), h('th', { scope: 'row' }, r.url ?? ''))))
    : notice('No remotes.');

  replace(
    main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Catalogue')),
    h('h1', {}, server.title ? `${server.title}` : name),
    server.title ? h('p', { class: 'name' }, h('code', {}, name)) : null,
    server.description ? h('p', { class: 'lead' }, server.description) : null,
    h('dl', { class: 'facts' }, facts.map(([k, ...v]) => [h('dt', {}, k), h('dd', {}, ...v)])),
    h('section', { 'aria-labelledby': 'install-h' }, h('h2', { id: 'install-h' }, 'Install in VS Code'), install(name, server)),
    h('section', { 'aria-labelledby': 'versions-h' }, h('h2', { id: 'versions-h' }, 'Versions'), versions),
    h('section', { 'aria-labelledby': 'packages-h' }, h('h2', { id: 'packages-h' }, 'Packages'), packages),
    h('section', { 'aria-labelledby': 'remotes-h' }, h('h2', { id: 'remotes-h' }, 'Remotes'), remotes),
  );
  document.title = `${name} · MCP Registry Gateway`;
}

function install(name, server) {
  const config = vscodeConfig(server);
  if (!config) return notice('This server has no remote or package VS Code can start.');
  const snippet = mcpJsonSnippet(name, config);
  const code = h('pre', { class: 'snippet' }, h('code', { id: 'vscode-snippet' }, snippet));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(snippet);
      announce('Copied the .vscode/mcp.json snippet.');
    } catch {
      const range = document.createRange();
      range.selectNodeContents(code);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      announce('Select-all done: press Ctrl+C (⌘C) to copy.');
    }
  };
  return [
    h('p', {}, h('a', { class: 'button', href: installLink(name, config) }, 'Install in VS Code'), ' ', h('button', { type: 'button', onclick: copy }, 'Copy snippet')),
    h('p', {}, 'Or add this to ', h('code', {}, '.vscode/mcp.json'), ':'),
    code,
  ];
}
