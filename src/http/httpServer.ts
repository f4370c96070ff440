import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';

/** Node's parser error codes (llhttp `HPE_*`, plus its own timeouts) and the status they mean. */
const STATUS_BY_CODE: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  ERR_HTTP_HEADERS_TIMEOUT: 408,
};

const DETAIL_BY_STATUS: Record<number, string> = {
  400: 'The request is not valid HTTP/1.1 (malformed request line, header or body framing).',
  408: 'The request was not received in time (server.headersTimeout / server.requestTimeout).',
  413: 'The request body framing is too large.',
  431: 'The request line and headers are too large (server.maxHeaderBytes).',
};

/** An RFC 9457 body, as `sendProblem` writes it, for responses written below express. */
function rawProblem(status: number, detail: string): string {
  return JSON.stringify({ title: STATUS_CODES[status] ?? 'Error', status, detail });
}

/** Writes a complete problem+json response straight to a socket and closes it. */
function writeToSocket(socket: Duplex, status: number, detail: string): void {
  const body = rawProblem(status, detail);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/problem+json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

function writeToResponse(res: ServerResponse, status: number, detail: string): void {
  const body = rawProblem(status, detail);
  res.writeHead(status, { 'Content-Type': 'application/problem+json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body);
}

/** An express app: a request listener that takes a final handler. */
export type AppListener = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Longest gap between Node's checks for requests past their timeouts. */
const MAX_TIMEOUT_CHECK_MS = 1000;

/**
 * Creates the API's HTTP server with bounded timeouts and header size (`server.*`), and makes every
 * rejection that happens before express runs answer RFC 9457 problem+json with a matching status:
 * parser errors and timeouts (`clientError`: 400, 408, 413, 431), HTTP/1.1 without `Host` (400),
 * unexpected `Expect` headers (417) and `CONNECT` (405). Replaces Node's default empty-bodied answers.
 */
export function createHttpServer(app: AppListener, server: GatewayConfig['server'], logger: Logger): Server {
  const requestTimeout = server.requestTimeout;
  const headersTimeout = Math.min(server.headersTimeout, requestTimeout);
  const s = createServer(
    {
      maxHeaderSize: server.maxHeaderBytes,
      requestTimeout,
      headersTimeout,
      keepAliveTimeout: server.keepAliveTimeout,
      // Node checks timeouts on this interval (default 30 s, which would double a 30 s limit).
      connectionsCheckingInterval: Math.min(MAX_TIMEOUT_CHECK_MS, Math.ceil(headersTimeout / 2)),
      // Node's own check answers an empty 400; the listener below answers it as a problem.
      requireHostHeader: false,
    },
    (req, res) => {
      if (req.httpVersion === '1.1' && req.headers.host === undefined) {
        writeToResponse(res, 400, 'An HTTP/1.1 request must send a Host header.');
        return;
      }
      // Express falls back to an HTML page when its router cannot parse the target (`http://[::1/`).
      app(req, res, () => {
        if (res.headersSent) res.destroy();
        else if (req.url?.startsWith('/')) writeToResponse(res, 404, 'Endpoint not found. See /docs for the API documentation.');
        else writeToResponse(res, 400, 'The request target is not a valid URL.');
      });
    },
  );

  s.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const status = STATUS_BY_CODE[err.code ?? ''] ?? 400;
    logger.debug('request rejected by the HTTP parser', { code: err.code, status });
    writeToSocket(socket, status, DETAIL_BY_STATUS[status] as string);
  });
  s.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    writeToResponse(res, 417, 'Only "Expect: 100-continue" is supported.');
  });
  s.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    writeToSocket(socket, 405, 'CONNECT is not supported: this is not a proxy.');
  });
  return s;
}
