/** One dispatched Server-Sent Event. */
export interface SseEvent {
  /** `event:` field; `message` when absent. */
  event: string;
  data: string;
  /** `id:` field of this event, if it had one. */
  id?: string;
}

/**
 * Incremental `text/event-stream` parser (WHATWG HTML §9.2.6) for the gateway's own clients (the
 * follower and `watch`). Feed it decoded text as it arrives; it returns the complete events.
 * Comments and `retry:` are ignored. A line longer than `maxLineBytes` is an error (bounded memory).
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;

  constructor(private readonly maxLineBytes = 16 * 1024 * 1024) {}

  /**
   * Parses more text.
   * @throws Error when a line exceeds `maxLineBytes`.
   */
  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const line = this.buffer.slice(0, nl);
      const sep = this.buffer[nl] === '\r' && this.buffer[nl + 1] === '\n' ? 2 : 1;
      // A lone \r at the very end may be the first half of \r\n: wait for more.
      if (this.buffer[nl] === '\r' && sep === 1 && nl + 1 === this.buffer.length) break;
      this.buffer = this.buffer.slice(nl + sep);
      this.line(line, out);
    }
    if (this.buffer.length > this.maxLineBytes) throw new Error(`event stream line longer than ${this.maxLineBytes} bytes`);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) {
        const ev: SseEvent = { event: this.event || 'message', data: this.data.join('\n') };
        if (this.id !== undefined) ev.id = this.id;
        out.push(ev);
      }
      this.data = [];
      this.event = '';
      this.id = undefined;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\u0000')) this.id = value;
  }
}
