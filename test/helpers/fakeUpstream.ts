import type { Server } from 'node:http';
import express from 'express';
import type { ServerJson } from '../../src/catalog/types.js';
import { SampleRegistry } from '../../src/sampleRegistry/SampleRegistry.js';
import { createSampleRegistryApp } from '../../src/sampleRegistry/sampleRegistryApp.js';

/** A fault the fake upstream injects into `/v0.1/servers` requests. */
export type Fault =
  | { kind: 'status'; status: number; times: number; headers?: Record<string, string>; onlyWithCursor?: boolean }
  | { kind: 'delay'; ms: number }
  | { kind: 'malformed' }
  | { kind: 'cursorLoop' }
  | { kind: 'oversize'; bytes: number }
  | { kind: 'rejectUpdatedSince' }
  | { kind: 'invalidEntry' }
  | { kind: 'endlessPages' };

/** One request the upstream saw. */
export interface SeenRequest {
  at: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
}

/** A real HTTP upstream registry on loopback, with official semantics and fault injection. */
export interface FakeUpstream {
  url: string;
  registry: SampleRegistry;
  requests: SeenRequest[];
  fault: Fault | undefined;
  /** Highest number of list requests in flight at once. */
  maxConcurrent: number;
  close(): Promise<void>;
}

/** Starts a fake upstream serving `servers` (published in order). */
export async function startFakeUpstream(servers: ServerJson[] = []): Promise<FakeUpstream> {
  const registry = new SampleRegistry();
  for (const s of servers) registry.publish(s);
  const app = express();
  let inFlight = 0;
  const state: FakeUpstream = {
    url: '',
    registry,
    requests: [],
    fault: undefined,
    maxConcurrent: 0,
    close: async () => undefined,
  };
  app.use('/v0.1/servers', (req, res, next) => {
    if (req.path !== '/') {
      next();
      return;
    }
    const query = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, String(v)]));
    state.requests.push({ at: Date.now(), path: req.path, query, headers: req.headers });
    inFlight++;
    state.maxConcurrent = Math.max(state.maxConcurrent, inFlight);
    res.on('close', () => inFlight--);
    const fault = state.fault;
    if (!fault) {
      next();
      return;
    }
    switch (fault.kind) {
      case 'status':
        if (fault.times <= 0 || (fault.onlyWithCursor && !query.cursor)) {
          next();
          return;
        }
        fault.times--;
        for (const [k, v] of Object.entries(fault.headers ?? {})) res.setHeader(k, v);
        res.status(fault.status).json({ title: 'error', status: fault.status, detail: 'injected' });
        return;
      case 'delay':
        setTimeout(next, fault.ms);
        return;
      case 'malformed':
        res.type('application/json').send('{"servers": [ {"server": ');
        return;
      case 'cursorLoop':
        res.json({ servers: registry.list({ limit: 1, includeDeleted: true }).rows.map((r) => ({ server: r.server })), metadata: { count: 1, nextCursor: 'same-cursor' } });
        return;
      case 'oversize':
        res.type('application/json').send(`{"servers":[],"pad":"${'x'.repeat(fault.bytes)}"}`);
        return;
      case 'rejectUpdatedSince':
        if (query.updated_since) {
          res.status(400).json({ title: 'Bad Request', status: 400, detail: 'unknown parameter updated_since' });
          return;
        }
        next();
        return;
      case 'invalidEntry': {
        const json = res.json.bind(res);
        res.json = (body: { servers?: unknown[] }) => {
          if (Array.isArray(body?.servers)) body.servers.unshift({ server: { name: 'not a valid name', version: '1.0.0' } });
          return json(body);
        };
        next();
        return;
      }
      case 'endlessPages':
        res.json({ servers: registry.list({ limit: 1, includeDeleted: true }).rows.map((r) => ({ server: r.server })), metadata: { count: 1, nextCursor: `c${state.requests.length}` } });
        return;
    }
  });
  app.use(createSampleRegistryApp(registry));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  state.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
