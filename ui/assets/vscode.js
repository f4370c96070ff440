// VS Code install configuration for a server.json: a remote when it has one, else the first
// package VS Code can launch. VS Code accepts `vscode:mcp/install?<url-encoded JSON>` links and the
// same object under `servers` in `.vscode/mcp.json`.

const RUNNERS = {
  npm: (p) => ({ command: 'npx', args: ['-y', p.version ? `${p.identifier}@${p.version}` : p.identifier] }),
  pypi: (p) => ({ command: 'uvx', args: [p.version ? `${p.identifier}==${p.version}` : p.identifier] }),
  oci: (p) => ({ command: 'docker', args: ['run', '-i', '--rm', p.version && !p.identifier.includes(':') ? `${p.identifier}:${p.version}` : p.identifier] }),
  nuget: (p) => ({ command: 'dnx', args: [p.version ? `${p.identifier}@${p.version}` : p.identifier, '--yes'] }),
};

function envOf(p) {
  const vars = p.environmentVariables ?? [];
  if (vars.length === 0) return {};
  return { env: Object.fromEntries(vars.map((v) => [v.name, v.value ?? (v.default !== undefined ? String(v.default) : `<${v.name}>`)])) };
}

/** The VS Code server configuration, or null when nothing in server.json is installable. */
export function vscodeConfig(server) {
  const remote = (server.remotes ?? []).find((r) => r.url && (r.type === 'streamable-http' || r.type === 'sse'));
  if (remote) {
    const headers = Object.fromEntries((remote.headers ?? []).map((x) => [x.name, x.value ?? `<${x.name}>`]));
    return { type: remote.type === 'sse' ? 'sse' : 'http', url: remote.url, ...(Object.keys(headers).length ? { headers } : {}) };
  }
  for (const p of server.packages ?? []) {
    const run = RUNNERS[p.registryType];
    if (run && p.identifier && (!p.transport || p.transport.type === 'stdio')) return { type: 'stdio', ...run(p), ...envOf(p) };
  }
  return null;
}

/** A short, VS Code friendly key for the server (the part after the namespace). */
export function shortName(name) {
  return name.split('/').pop() || name;
}

/** `vscode:mcp/install?...` link for a server configuration. */
export function installLink(name, config) {
  return `vscode:mcp/install?${encodeURIComponent(JSON.stringify({ name: shortName(name), ...config }))}`;
}

/** The `.vscode/mcp.json` snippet. */
export function mcpJsonSnippet(name, config) {
  return JSON.stringify({ servers: { [shortName(name)]: config } }, null, 2);
}
