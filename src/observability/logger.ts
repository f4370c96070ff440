import winston from 'winston';
import { requestContext } from './requestContext.js';

/** Root logger type used across the gateway. */
export type Logger = winston.Logger;

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  level?: string;
  /** `json` for machines, `pretty` for people; `auto` picks json when NODE_ENV=production or stdout is not a TTY. */
  format?: 'auto' | 'json' | 'pretty';
  /** Silence output (tests). */
  silent?: boolean;
}

const SECRET_KEYS = /authorization|token|secret|password|cookie|api[-_]?key/i;

/** Replaces values of secret-looking keys so tokens never reach a log line. */
const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (SECRET_KEYS.test(key) && typeof info[key] === 'string') info[key] = '[redacted]';
  }
  return info;
});

/** Adds the current request id (from AsyncLocalStorage) to every line logged inside a request. */
const withRequestId = winston.format((info) => {
  const ctx = requestContext.getStore();
  if (ctx && info.requestId === undefined) info.requestId = ctx.requestId;
  return info;
});

/**
 * Creates the root logger. JSON lines in production, colourised single lines in development;
 * each line carries the request id when logged inside a request.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const envFormat = process.env.LOG_FORMAT;
  const requested = envFormat === 'json' || envFormat === 'pretty' ? envFormat : options.format ?? 'auto';
  const json = requested === 'json' || (requested === 'auto' && (process.env.NODE_ENV === 'production' || !process.stdout.isTTY));
  const base = [withRequestId(), redact(), winston.format.timestamp()];
  const format = json
    ? winston.format.combine(...base, winston.format.errors({ stack: false }), winston.format.json())
    : winston.format.combine(
        ...base,
        winston.format.colorize(),
        winston.format.printf(({ timestamp, level, message, requestId, ...rest }) => {
          const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
          return `${String(timestamp)} ${level}${requestId ? ` [${String(requestId)}]` : ''} ${String(message)}${extra}`;
        }),
      );
  return winston.createLogger({
    level: process.env.LOG_LEVEL ?? options.level ?? 'info',
    format,
    silent: options.silent ?? false,
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn'] })],
  });
}
