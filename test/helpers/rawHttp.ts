import { connect } from 'node:net';

/** What came back on a raw connection. */
export interface RawResponse {
  /** HTTP status, or undefined when the server closed without answering. */
  status?: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds until the response was complete or the connection closed. */
  ms: number;
}

/**
 * Sends `chunks` over a fresh TCP connection (each after `gapMs`), then reads one response: until
 * its Content-Length is complete, the server closes, or `timeoutMs` passes.
 */
export function rawRequest(url: string, chunks: Array<string | Buffer>, options: { gapMs?: number; timeoutMs?: number } = {}): Promise<RawResponse> {
  const { port, hostname } = new URL(url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let data = Buffer.alloc(0);
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      if (done) return;
      done = true;
      timers.forEach(clearTimeout);
      socket.destroy();
      resolve({ ...parse(data), ms: Date.now() - started });
    };
    timers.push(setTimeout(finish, options.timeoutMs ?? 3000));
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      const parsed = parse(data);
      const length = Number(parsed.headers['content-length'] ?? NaN);
      if (parsed.status !== undefined && Number.isFinite(length) && Buffer.byteLength(parsed.body) >= length) finish();
    });
    socket.on('connect', () => {
      chunks.forEach((c, i) => {
        timers.push(setTimeout(() => !done && socket.write(c), i * (options.gapMs ?? 0)));
      });
    });
  });
}

function parse(data: Buffer): { status?: number; headers: Record<string, string>; body: string } {
  // Interim responses (100 Continue) precede the final one.
  while (/^HTTP\/1\.[01] 1\d\d[^\r]*\r\n\r\n/.test(data.toString('latin1', 0, 64))) data = data.subarray(data.indexOf('\r\n\r\n') + 4);
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return { headers: {}, body: '' };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { ...(m ? { status: Number(m[1]) } : {}), headers, body: data.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1')).toString('utf8') };
}
