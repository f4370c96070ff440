import type { ServerResponse } from 'node:http';
import client from 'prom-client';
import { ServiceUnavailableError } from '../errors.js';

/** Why a stream ended, for the `mcpgw_events_closed_total` counter. */
export type CloseReason = 'client' | 'slow-consumer' | 'reset' | 'shutdown' | 'error';

/** One open subscriber: its response and the signal that stops its pump. */
export interface Subscription {
  readonly signal: AbortSignal;
  /** Ends the stream (and its pump) once; `destroy` drops the socket instead of ending cleanly. */
  close(reason: CloseReason, destroy?: boolean): void;
  /** Counts one event sent. */
  sent(): void;
}

/**
 * The open event streams of this process: enforces `events.maxSubscribers`, ends every stream on
 * shutdown (so clients reconnect to another replica with Last-Event-ID), and records metrics.
 * Holds nothing per subscriber beyond the open connection.
 */
export class EventStreams {
  private readonly open = new Set<{ res: ServerResponse; close: Subscription['close'] }>();
  private readonly gauge: client.Gauge;
  private readonly closed: client.Counter<'reason'>;
  private readonly events: client.Counter;
  private stopping = false;

  constructor(
    private readonly maxSubscribers: number,
    registry?: client.Registry,
  ) {
    const registers = registry ? [registry] : [];
    this.gauge = new client.Gauge({ name: 'mcpgw_events_subscribers', help: 'Open change-event streams in this process', registers });
    this.closed = new client.Counter({ name: 'mcpgw_events_closed_total', help: 'Change-event streams closed, by reason', labelNames: ['reason'] as const, registers });
    this.events = new client.Counter({ name: 'mcpgw_events_sent_total', help: 'Change events written to subscribers', registers });
  }

  /** Open streams now. */
  get size(): number {
    return this.open.size;
  }

  /**
   * Registers a new subscriber on `res`.
   * @throws ServiceUnavailableError (503) past `maxSubscribers`, or while shutting down.
   */
  subscribe(res: ServerResponse): Subscription {
    if (this.stopping || this.open.size >= this.maxSubscribers) {
      throw new ServiceUnavailableError(
        this.stopping ? 'This replica is shutting down; reconnect to another one.' : `This replica serves its maximum of ${this.maxSubscribers} event streams (events.maxSubscribers); retry later or on another replica.`,
        { headers: { 'Retry-After': '5' } },
      );
    }
    const controller = new AbortController();
    let done = false;
    const entry = {
      res,
      close: (reason: CloseReason, destroy = false) => {
        if (done) return;
        done = true;
        this.open.delete(entry);
        this.gauge.set(this.open.size);
        this.closed.inc({ reason });
        controller.abort();
        if (destroy) res.destroy();
        else if (!res.writableEnded) res.end();
      },
    };
    this.open.add(entry);
    this.gauge.set(this.open.size);
    res.once('close', () => entry.close('client'));
    return { signal: controller.signal, close: entry.close, sent: () => this.events.inc() };
  }

  /** Ends every stream cleanly and refuses new ones (SIGTERM). */
  closeAll(): void {
    this.stopping = true;
    for (const entry of [...this.open]) entry.close('shutdown');
  }
}
