import { SseParser } from '../events/sseParser.js';
import { GATEWAY_VERSION } from '../version.js';

/** Options of `watch`. */
export interface WatchOptions {
  url: string;
  tokenEnv?: string;
  since?: string;
  updatedSince?: string;
  json?: boolean;
  /** Stop after this many events (scripts, demos). */
  count?: number;
}

const MAX_RETRY_MS = 30_000;

/** One human-readable line per change: time, name@version, status, latest. */
function describe(data: string): string {
  const item = JSON.parse(data) as { server?: { name?: string; version?: string }; _meta?: Record<string, { status?: string; isLatest?: boolean; updatedAt?: string; registry?: string }> };
  const official = item._meta?.['io.modelcontextprotocol.registry/official'] ?? {};
  const gateway = item._meta?.['io.github.mcp-registry-gateway/federation'] ?? {};
  return [official.updatedAt ?? '-', `${item.server?.name ?? '?'}@${item.server?.version ?? '?'}`, official.status ?? '-', official.isLatest ? 'latest' : '', gateway.registry ? `(${gateway.registry})` : '']
    .filter(Boolean)
    .join('  ');
}

/**
 * `watch [registry]`: prints the gateway's change events as they arrive, reconnecting with
 * Last-Event-ID (so nothing is missed across network blips). A position past the retention prints
 * a notice and continues with changes from now.
 * @throws Error when the token variable is unset or the gateway refuses the subscription (4xx).
 */
export async function runWatch(registry: string | undefined, opts: WatchOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const token = opts.tokenEnv ? process.env[opts.tokenEnv] : undefined;
  if (opts.tokenEnv && !token) throw new Error(`environment variable ${opts.tokenEnv} is not set`);
  const base = opts.url.replace(/\/+$/, '');
  const path = `${registry ? `/${encodeURIComponent(registry)}` : ''}/v0.1/events`;
  let last = opts.since;
  let failures = 0;
  let seen = 0;
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  while (!stop.signal.aborted) {
    const headers: Record<string, string> = { accept: 'text/event-stream', 'user-agent': `mcp-registry-gateway/${GATEWAY_VERSION} (watch)` };
    if (token) headers.authorization = `Bearer ${token}`;
    if (last) headers['last-event-id'] = last;
    const query = !last && opts.updatedSince ? `?updated_since=${encodeURIComponent(opts.updatedSince)}` : '';
    try {
      const res = await fetch(`${base}${path}${query}`, { headers, signal: stop.signal });
      if (res.status >= 400 && res.status < 500) {
        const body = (await res.json().catch(() => ({}))) as { detail?: string };
        throw Object.assign(new Error(`the gateway answered ${res.status}: ${body.detail ?? res.statusText}`), { fatal: true });
      }
      if (res.status !== 200 || !res.body) throw new Error(`the gateway answered ${res.status}`);
      failures = 0;
      const reader = res.body.getReader();
      stop.signal.addEventListener('abort', () => void reader.cancel().catch(() => undefined), { once: true });
      const parser = new SseParser();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const ev of parser.push(decoder.decode(value, { stream: true }))) {
          if (ev.event === 'reset') {
            process.stderr.write('the saved position is older than the gateway keeps events; continuing with changes from now (re-list to catch up)\n');
            last = undefined;
            opts = { ...opts, updatedSince: undefined };
            continue;
          }
          if (ev.event !== 'server') continue;
          if (ev.id) last = ev.id;
          out.write(`${opts.json ? ev.data : describe(ev.data)}\n`);
          if (opts.count !== undefined && ++seen >= opts.count) {
            stop.abort();
            return;
          }
        }
      }
    } catch (err) {
      if (stop.signal.aborted) return;
      if ((err as { fatal?: boolean }).fatal) throw err;
      failures++;
      process.stderr.write(`stream interrupted (${(err as Error).message}); reconnecting\n`);
    }
    await new Promise((r) => setTimeout(r, Math.min(MAX_RETRY_MS, 500 * 2 ** Math.min(failures, 10))));
  }
}
