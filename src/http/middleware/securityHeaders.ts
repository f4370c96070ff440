import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * Helmet's security headers for an API (no CSP here: the console sets its own under `/ui`), with
 * cross-origin reads allowed (browser clients such as Copilot read the catalogue).
 */
export const securityHeaders = helmet({
  contentSecurityPolicy: false,
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  crossOriginEmbedderPolicy: false,
});

/**
 * The headers {@link securityHeaders} sets, flat `[name, value, ...]`, recorded once from the
 * middleware itself so the hot path sends exactly what express's path sends (they depend on no
 * request).
 */
export function securityHeaderList(): string[] {
  const out: string[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      out.push(name, String(value));
      return recorder;
    },
    removeHeader() {},
  };
  securityHeaders({} as IncomingMessage, recorder as unknown as ServerResponse, () => {});
  return out;
}
