import { createHash, createHmac } from 'node:crypto';

/**
 * The HMAC key of a Standard Webhooks secret: `whsec_<base64>` decodes to its bytes; any other
 * string is used as raw UTF-8 bytes.
 */
export function secretKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

/**
 * The `webhook-signature` header value (Standard Webhooks): `v1,` + base64 HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>`.
 */
export function signPayload(key: Buffer, messageId: string, timestampSeconds: number, body: Buffer): string {
  return `v1,${createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.`).update(body).digest('base64')}`;
}

/**
 * The `webhook-id` of one change for one receiver: stable across retries and redeliveries, so a
 * receiver can deduplicate (delivery is at least once).
 */
export function messageId(webhook: string, position: string): string {
  return `msg_${createHash('sha256').update(`${webhook}\u0000${position}`).digest('base64url').slice(0, 32)}`;
}
