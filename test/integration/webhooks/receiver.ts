import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the receiver accepted or refused. */
export interface Received {
  path: string;
  id: string;
  timestamp: number;
  body: string;
  /** Whether the Standard Webhooks signature verified (independent implementation). */
  verified: boolean;
  answered: number;
  at: number;
}

/** A real webhook receiver on loopback; `failures[path]` makes the next N requests answer 500. */
export interface TestReceiver {
  url: string;
  port: number;
  received: Received[];
  failures: Record<string, number>;
  /** Accepted (2xx) messages for a path, in arrival order. */
  accepted(path: string): Received[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Verifies `webhook-signature` as a receiver would, written from the Standard Webhooks spec. */
export function verify(secret: string, id: string, timestamp: string, body: string, header: string): boolean {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return header.split(' ').some((part) => {
    const [version, sig] = part.split(',');
    if (version !== 'v1' || !sig) return false;
    const got = Buffer.from(sig, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}

/** Starts a receiver checking signatures with `secret`; `port` 0 picks one. */
export async function startReceiver(secret: string, port = 0): Promise<TestReceiver> {
  let server: http.Server | undefined;
  const r: TestReceiver = {
    url: '',
    port,
    received: [],
    failures: {},
    accepted: (path) => r.received.filter((x) => x.path === path && x.answered < 300),
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise((done) => s.close(done));
    },
    async start() {
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const id = String(req.headers['webhook-id']);
          const ts = String(req.headers['webhook-timestamp']);
          const path = req.url ?? '/';
          const left = r.failures[path] ?? 0;
          const answered = left > 0 ? 500 : 200;
          if (left > 0) r.failures[path] = left - 1;
          r.received.push({ path, id, timestamp: Number(ts), body, verified: verify(secret, id, ts, body, String(req.headers['webhook-signature'])), answered, at: performance.now() });
          res.writeHead(answered).end();
        });
      });
      await new Promise<void>((done) => (server as http.Server).listen(r.port, '127.0.0.1', done));
      r.port = ((server as http.Server).address() as AddressInfo).port;
      r.url = `http://127.0.0.1:${r.port}`;
    },
  };
  await r.start();
  return r;
}
