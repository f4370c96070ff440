// `npm run demo`: starts Redis (REDIS_URL when reachable, else a local redis-server with its data
// under .data/, installing it first as root on Debian/Ubuntu) and the gateway on config/demo.yaml.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPairSync } from 'node:crypto';
import { startOidcProvider } from '../devServices/oidc-provider.mjs';
import { freePort, pingRedis, startRedisServer } from '../devServices/redis.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (m) => process.stdout.write(`${m}\n`);

async function portFree(port) {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

const withAuth = process.argv.includes('--auth');
const DEMO_CLIENTS = [
  { id: 'dev', secret: 'dev-secret', groups: ['engineering'] },
  { id: 'platform', secret: 'platform-secret', groups: ['platform'] },
  { id: 'admin', secret: 'admin-secret', groups: ['registry-admins'] },
];
const DEMO_AUDIENCE = 'https://mcp-gateway.demo/';

/** Console users of `--auth` (login page of the bundled provider): password = <name>-secret. */
const DEMO_USERS = DEMO_CLIENTS.map((c) => ({ id: c.id, password: c.secret, groups: c.groups }));
const DEMO_CONSOLE = { id: 'mcp-console', secret: 'console-demo-secret' };

/** Starts the bundled OpenID Provider for `--auth`; `consoleUrl` is the console's base URL. */
async function startDemoIdp(consoleUrl) {
  const port = (await portFree(8090)) ? 8090 : await freePort();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = { ...privateKey.export({ format: 'jwk' }), kid: 'demo-key', alg: 'RS256', use: 'sig' };
  const introspection = { clientId: 'gateway', secret: 'gateway-demo-secret' };
  const idp = await startOidcProvider({
    port,
    clients: DEMO_CLIENTS,
    keys: [key],
    audience: DEMO_AUDIENCE,
    opaqueAudience: 'https://mcp-gateway.demo/opaque',
    introspection,
    consoleClient: { ...DEMO_CONSOLE, redirectUris: [`${consoleUrl}auth/callback`], postLogoutRedirectUris: [consoleUrl] },
    users: DEMO_USERS,
  });
  return { ...idp, introspectionSecret: introspection.secret };
}

async function main() {
  if (!existsSync(path.join(root, 'dist', 'cli.js'))) {
    say('Building the gateway (npm run build)...');
    const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }

  let redisUrl = process.env.REDIS_URL;
  let redis;
  if (redisUrl && (await pingRedis(redisUrl))) {
    say(`Using Redis at REDIS_URL.`);
  } else {
    if (redisUrl) say('REDIS_URL is set but not reachable; starting a local redis-server instead.');
    try {
      redis = await startRedisServer({ dataDir: path.join(root, '.data', 'redis') });
    } catch (err) {
      process.stderr.write(`\nCannot start the demo: ${err.message}\n`);
      process.exit(1);
    }
    redisUrl = redis.url;
    say(`Started redis-server on ${redisUrl} (data in .data/redis).`);
  }

  let port = Number(process.env.PORT ?? 8080);
  if (!(await portFree(port))) {
    const chosen = await freePort();
    say(`Port ${port} is busy; using ${chosen} instead.`);
    port = chosen;
  }

  // The bundled upstream: a real HTTP server speaking the official v0.1 read API over sample data.
  const upstreamPort = (await portFree(8081)) ? 8081 : await freePort();
  const cli = path.join(root, 'bin', 'mcp-registry-gateway.js');
  const upstream = spawn(process.execPath, [cli, 'sample-upstream', '--data', path.join(root, 'config', 'demo', 'community.json'), '--port', String(upstreamPort)], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;

  const idp = withAuth ? await startDemoIdp(`http://localhost:${port}/ui/`) : undefined;
  const authEnv = idp ? { DEMO_ISSUER: idp.issuer, DEMO_INTROSPECTION_SECRET: idp.introspectionSecret, DEMO_UI_CLIENT_SECRET: DEMO_CONSOLE.secret } : {};
  const configFile = path.join(root, 'config', withAuth ? 'demo-auth.yaml' : 'demo.yaml');
  const gateway = spawn(process.execPath, [cli, 'serve', '--config', configFile], {
    cwd: root,
    env: { ...process.env, ...authEnv, REDIS_URL: redisUrl, PORT: String(port), DEMO_UPSTREAM_URL: upstreamUrl, LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty' },
    stdio: 'inherit',
  });

  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    for (const child of [gateway, upstream]) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    }
    await idp?.stop();
    await redis?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  gateway.on('exit', (code) => void stop(code ?? 1));

  const base = `http://localhost:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      const headers = idp ? { Authorization: `Bearer ${await demoToken(idp.issuer, 'admin')}` } : {};
      const r = await fetch(`${base}/v0.1/registries/community`, { headers });
      // Ready once the first sync of the upstream has landed, so the first curl shows both registries.
      if (r.ok && (await r.json()).syncStatus?.phase !== 'pending' && (await fetch(`${base}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  say(`
MCP Registry Federation Gateway demo is running at ${base}
Registries, from real MCP Registry entries:
  curated    (priority 1) a file registry: config/demo/curated.json
  community  (priority 2) an upstream registry synced by BullMQ jobs from the bundled
             sample upstream at ${upstreamUrl} (incremental every minute)

Try:
  curl '${base}/v0.1/servers?limit=5'
  curl '${base}/v0.1/servers/io.github.domdomegg%2Fairtable-mcp-server/versions/latest'
  curl '${base}/v0.1/registries'
  REDIS_URL=${redisUrl} npx mcp-registry-gateway status --config ${path.relative(root, configFile)}

Per-registry view: ${base}/community/v0.1/servers   API docs: ${base}/docs
Operator console: ${base}/ui/${idp ? '  (sign in as dev, platform or admin; password <name>-secret)' : '  (catalogue, registries, publish to `internal`, activity)'}
${idp ? authHelp(idp.issuer, base) : `Auth is off (every caller is anonymous). Try the OIDC mode: npm run demo -- --auth`}
Press Ctrl+C to stop.
`);
}

async function demoToken(issuer, clientId) {
  const client = DEMO_CLIENTS.find((c) => c.id === clientId);
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: DEMO_AUDIENCE }),
  });
  return (await res.json()).access_token;
}

function authHelp(issuer, base) {
  return `Auth: OIDC. A local OpenID Provider runs at ${issuer} (clients dev, platform, admin; secret = <name>-secret).
Get a token and compare catalogues:
  TOKEN=$(curl -s -u dev:dev-secret -d grant_type=client_credentials -d resource=${DEMO_AUDIENCE} ${issuer}/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')
  curl -H "Authorization: Bearer $TOKEN" '${base}/v0.1/servers?limit=5'
  curl '${base}/v0.1/servers?limit=5'                       (anonymous: only the public subset)
  curl -i '${base}/v0.1/registries'                         (401 with a WWW-Authenticate challenge)
  curl '${base}/.well-known/oauth-protected-resource'`;
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
