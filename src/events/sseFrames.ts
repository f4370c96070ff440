/** Server-Sent Events framing (WHATWG HTML §9.2) for the change stream. */

const DATA_END = Buffer.from('\n\n');

/** One `event: server` frame: `id`, `event`, and the row as a single `data:` line. */
export function serverFrame(id: string, row: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`id: ${id}\nevent: server\ndata: `), row, DATA_END]);
}

/** The `event: reset` frame: the position is too old; the client must re-list, then resubscribe. */
export function resetFrame(detail: string): string {
  return `event: reset\ndata: ${JSON.stringify({ reason: 'position-expired', detail })}\n\n`;
}

/** A heartbeat comment (ignored by clients; keeps proxies from closing an idle stream). */
export const HEARTBEAT_FRAME = ': heartbeat\n\n';

/** First bytes of every stream: the reconnection delay clients should use (ms). */
export function retryFrame(ms: number): string {
  return `retry: ${ms}\n\n`;
}
