import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

/** One recorded audit event (what the `audit` log line said, plus when). */
export interface AuditEvent {
  id: string;
  at: string;
  [field: string]: unknown;
}

/** Audit events kept for the console (approximate cap; older ones are trimmed). */
export const AUDIT_RETENTION = 1000;

/**
 * Recent audit events in a capped Redis stream (`{prefix}:audit`), so every API replica's events
 * show in the console's Activity page. The log stays the system of record; recording is
 * best-effort and never fails the request that is being audited.
 */
export class AuditTrail {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  /** Appends an event (fire and forget). */
  record(fields: Record<string, unknown>): void {
    const at = new Date().toISOString();
    this.redis.xadd(this.key, 'MAXLEN', '~', String(AUDIT_RETENTION), '*', 'e', JSON.stringify({ ...fields, at })).catch(() => undefined);
  }

  /** The newest events first. */
  async recent(limit: number): Promise<AuditEvent[]> {
    const rows = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', limit);
    return rows.map(([id, fields]) => {
      const data = JSON.parse(fields[1] ?? '{}') as Record<string, unknown>;
      return { ...data, id, at: String(data.at ?? '') };
    });
  }
}

/**
 * A logger that also records its `audit` lines (info and warn) in the trail. Everything else is
 * the wrapped logger unchanged.
 */
export function auditingLogger(logger: Logger, trail: AuditTrail): Logger {
  const wrap = (level: 'info' | 'warn') => {
    const original = logger[level].bind(logger) as (message: string, meta?: Record<string, unknown>) => Logger;
    return (message: unknown, meta?: unknown) => {
      if (message === 'audit' && meta && typeof meta === 'object') trail.record({ ...(meta as Record<string, unknown>), level });
      return original(message as string, meta as Record<string, unknown>);
    };
  };
  const info = wrap('info');
  const warn = wrap('warn');
  return new Proxy(logger, {
    get(target, prop, receiver) {
      if (prop === 'info') return info;
      if (prop === 'warn') return warn;
      return Reflect.get(target, prop, receiver);
    },
  });
}
