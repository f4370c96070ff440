// A baseline server for `npm run bench` (DESIGN §6), in its own process:
//   node --import tsx bench/baselineServer.ts node|express
// serves `GET /bytes?n=N`: N bytes of JSON from memory. `node` is plain node:http (the physical
// limit); `express` is a bare app of the gateway's own express version (the framework floor).
// Prints {"port":N} on stdout when listening.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';

const mode = process.argv[2];
const cache = new Map<number, Buffer>();

function bytes(n: number): Buffer {
  const size = Math.min(Math.max(Number.isFinite(n) ? n : 1024, 16), 1 << 22);
  let body = cache.get(size);
  if (!body) {
    body = Buffer.from(`{"pad":"${'x'.repeat(size - 10)}"}`);
    cache.set(size, body);
  }
  return body;
}

function listen(server: ReturnType<typeof createServer>): void {
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  });
}

if (mode === 'node') {
  listen(
    createServer((req: IncomingMessage, res: ServerResponse) => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n'));
      const body = bytes(n);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      res.end(body);
    }),
  );
} else if (mode === 'express') {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/bytes', (req, res) => {
    res.type('application/json').send(bytes(Number(req.query.n)));
  });
  listen(createServer(app));
} else {
  process.stderr.write('usage: baselineServer.ts node|express\n');
  process.exit(2);
}
