import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayConfig } from '../config/schema.js';
import { ExpectationFailedError, HeadersTooLargeError, InputError, MethodNotAllowedError, NotFoundError, PayloadTooLargeError, RequestTimeoutError, type DomainError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { ENDPOINT_NOT_FOUND, PROBLEM_CONTENT_TYPE, problemOf } from './problem.js';

const REQUEST_TIMEOUT_DETAIL = 'The request was not received in time (server.headersTimeout / server.requestTimeout).';

/** Node's parser error codes (llhttp `HPE_*`, plus its own timeouts) and the error they mean. */
const ERROR_BY_CODE: Record<string, () => DomainError> = {
  HPE_HEADER_OVERFLOW: () => new HeadersTooLargeError('The request line and headers are too large (server.maxHeaderBytes).'),
  HPE_CHUNK_EXTENSIONS_OVERFLOW: () => new PayloadTooLargeError('The request body framing is too large.'),
  ERR_HTTP_REQUEST_TIMEOUT: () => new RequestTimeoutError(REQUEST_TIMEOUT_DETAIL),
  ERR_HTTP_HEADERS_TIMEOUT: () => new RequestTimeoutError(REQUEST_TIMEOUT_DETAIL),
};

const MALFORMED_DETAIL = 'The request is not valid HTTP/1.1 (malformed request line, header or body framing).';

/** Writes a complete problem+json response straight to a socket and closes it. */
function writeToSocket(socket: Duplex, error: DomainError): void {
  const body = JSON.stringify(problemOf(error));
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

function writeToResponse(res: ServerResponse, error: DomainError): void {
  const body = JSON.stringify(problemOf(error));
  res.writeHead(error.status, { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
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
        writeToResponse(res, new InputError('An HTTP/1.1 request must send a Host header.'));
        return;
      }
      // Express falls back to an HTML page when its router cannot parse the target (`http://[::1/`).
      app(req, res, () => {
        if (res.headersSent) res.destroy();
        else if (req.url?.startsWith('/')) writeToResponse(res, new NotFoundError(ENDPOINT_NOT_FOUND));
        else writeToResponse(res, new InputError('The request target is not a valid URL.'));
      });
    },
  );

  s.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const error = ERROR_BY_CODE[err.code ?? '']?.() ?? new InputError(MALFORMED_DETAIL);
    logger.debug('request rejected by the HTTP parser', { code: err.code, status: error.status });
    writeToSocket(socket, error);
  });
  s.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    writeToResponse(res, new ExpectationFailedError('Only "Expect: 100-continue" is supported.'));
  });
  s.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    writeToSocket(socket, new MethodNotAllowedError('CONNECT is not supported: this is not a proxy.'));
  });
  return s;
}
