/** Outcome of one HTTP delivery attempt. */
export interface AttemptOutcome {
  ok: boolean;
  httpStatus?: number;
  error?: string;
  durationMs: number;
}

/**
 * POSTs one signed webhook message. Success is any 2xx; redirects are not followed (a receiver
 * must answer at its configured URL). The response body is discarded unread.
 */
export async function postWebhook(url: string, headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<AttemptOutcome> {
  const started = Date.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'mcp-registry-gateway-webhooks', ...headers },
      body: new Uint8Array(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel().catch(() => undefined);
    const durationMs = Date.now() - started;
    if (res.status >= 200 && res.status < 300) return { ok: true, httpStatus: res.status, durationMs };
    return { ok: false, httpStatus: res.status, error: `receiver answered HTTP ${res.status}`, durationMs };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, error: `delivery failed: ${reason}`, durationMs: Date.now() - started };
  }
}
