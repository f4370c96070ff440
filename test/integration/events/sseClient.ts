import http from 'node:http';

/** One event as read off the wire by this deliberately independent test parser. */
export interface WireEvent {
  event: string;
  id?: string;
  data: string;
  /** When the data line arrived (ms, performance.now()). */
  at: number;
}

/** An open test subscription. */
export interface TestStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: WireEvent[];
  comments: string[];
  /** Raw body for non-200 answers. */
  body: string;
  /** Resolves when the server ends or drops the stream. */
  ended: Promise<void>;
  /** Resolves once `n` events arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<WireEvent[]>;
  close(): void;
}

/** Opens `GET url` as an event stream (raw HTTP; frames split on blank lines). */
export function openStream(url: string, headers: Record<string, string> = {}): Promise<TestStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      let buf = '';
      const checks = new Set<() => boolean>();
      let endResolve: () => void = () => undefined;
      const stream: TestStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        comments: [],
        body: '',
        ended: new Promise<void>((r) => (endResolve = r)),
        waitFor(n, timeoutMs = 10_000) {
          return new Promise((ok, fail) => {
            const check = () => {
              if (stream.events.length >= n) {
                clearTimeout(timer);
                ok(stream.events.slice(0, n));
                return true;
              }
              return false;
            };
            const timer = setTimeout(() => fail(new Error(`only ${stream.events.length} of ${n} events within ${timeoutMs} ms`)), timeoutMs);
            if (!check()) checks.add(check);
          });
        },
        close: () => req.destroy(),
      };
      res.on('data', (chunk: string) => {
        if (stream.status !== 200) {
          stream.body += chunk;
          return;
        }
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const ev: Partial<WireEvent> = {};
          let dataLines = 0;
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) stream.comments.push(line);
            else if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) {
              ev.data = line.slice(6);
              dataLines++;
            }
          }
          if (dataLines > 1) throw new Error('an event had more than one data line');
          if (ev.data !== undefined) stream.events.push({ event: ev.event ?? 'message', data: ev.data, at: performance.now(), ...(ev.id ? { id: ev.id } : {}) });
        }
        for (const c of [...checks]) if (c()) checks.delete(c);
      });
      const finish = () => endResolve();
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      resolve(stream);
    });
    req.on('error', reject);
  });
}

/** `{server,_meta}` of an event's data line. */
export function row(ev: WireEvent): { server: { name: string; version: string }; _meta: Record<string, Record<string, unknown>> } {
  return JSON.parse(ev.data) as never;
}
