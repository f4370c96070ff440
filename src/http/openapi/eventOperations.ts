/**
 * Change events (`GET /v0.1/events`, per registry) and the webhook admin routes. Schemas are inline
 * here so the event documentation stays in one file.
 */

import { json, ref, REGISTRY_NAME_PATTERN, timestamp, type Json, type OpenApiContext } from './shared.js';

const EVENT_STREAM_DESCRIPTION = [
  'Server-Sent Events (`text/event-stream`): the push form of `updated_since` (DESIGN §3). Each change of a row visible to this caller ' +
    'is one event:',
  '',
  '```',
  'id: <opaque, increasing position>',
  'event: server',
  'data: {"server":{...},"_meta":{...}}   (one line: the row exactly as the list route shows it to this caller)',
  '```',
  '',
  '- **Start**: `Last-Event-ID` (an EventSource reconnecting) or `?since=<id>` resumes after that event, with no gap and no duplicate, on ' +
    'any replica; else `?updated_since=<RFC 3339>` starts after that time; with neither, only changes from now on are sent (list first, ' +
    'or use `updated_since`, to get the current state). The official registry has no push API; its analogue is polling ' +
    '`GET /v0.1/servers?updated_since=...`.',
  '- A row that changed several times before it was sent is sent once, in its latest state, at its latest change position.',
  '- A position older than `events.retention` (default 7 days) gets one `event: reset` (`data: {"reason":"position-expired",...}`) and ' +
    'the stream ends: re-list, then subscribe again.',
  '- Heartbeat comments (`: heartbeat`) every `events.heartbeat` (default 15 s) on an idle stream. The stream starts with `retry: 2000`.',
  '- A subscriber that does not read is disconnected (`events.maxBufferedBytes`, `events.stallTimeout`); past `events.maxSubscribers` ' +
    'streams per replica the answer is 503 with `Retry-After`. On shutdown the gateway ends every stream; clients reconnect with ' +
    '`Last-Event-ID`.',
  '- Visibility is exactly that of the list routes: invisible names never appear, an invisible registry is 404.',
].join('\n');

const EVENT_PARAMETERS: Json[] = [
  { name: 'Last-Event-ID', in: 'header', required: false, description: 'Resume after this event id (sent by EventSource on reconnect). Wins over `since`.', schema: { type: 'string', maxLength: 4096 } },
  { name: 'since', in: 'query', required: false, description: 'Resume after this event id. A value this gateway did not issue is a 400.', schema: { type: 'string', maxLength: 4096 } },
  { name: 'updated_since', in: 'query', required: false, description: 'Start after this RFC 3339 time (when no event id is given). Malformed: 400.', schema: { type: 'string', format: 'date-time' } },
];

const streamResponse = (): Json => ({
  description: 'The event stream (open until the client or the gateway ends it).',
  content: { 'text/event-stream': { schema: { type: 'string', description: 'SSE frames: `event: server` (data = ServerResponse JSON), `event: reset`, heartbeat comments.' } } },
});

const DELIVERY: Json = {
  type: 'object',
  required: ['messageId', 'position', 'status', 'attempt', 'at', 'durationMs', 'lagMs'],
  properties: {
    messageId: { type: 'string', description: 'The `webhook-id` header (stable across attempts of one change).' },
    position: { type: 'string', description: 'The event id delivered.' },
    status: { type: 'string', enum: ['delivered', 'failed', 'skipped'] },
    attempt: { type: 'integer', minimum: 0 },
    httpStatus: { type: 'integer' },
    error: { type: 'string' },
    at: timestamp('When the attempt ended.'),
    durationMs: { type: 'integer' },
    lagMs: { type: 'integer', description: 'Attempt end minus the change time.' },
  },
};

const WEBHOOK: Json = {
  type: 'object',
  required: ['name', 'url', 'as', 'registries', 'state', 'lagMs', 'deliveries'],
  properties: {
    name: { type: 'string' },
    url: { type: 'string', description: 'The receiver URL, credentials and query removed.' },
    as: { type: 'array', items: { type: 'string' }, description: 'The groups whose view the receiver gets.' },
    registries: { type: 'array', items: { type: 'string' } },
    state: { type: 'string', enum: ['idle', 'waiting', 'active', 'delayed', 'prioritized', 'waiting-children'], description: '`delayed`: backing off after a failure.' },
    position: { type: 'string', description: 'The last delivered event id.' },
    lastSuccessAt: timestamp('The last 2xx answer.'),
    lagMs: { type: 'integer', description: 'Now minus the change time of the oldest undelivered change; 0 when caught up.' },
    pending: {
      type: 'object',
      description: 'The message being retried while the receiver fails.',
      properties: {
        messageId: { type: 'string' },
        position: { type: 'string' },
        attempts: { type: 'integer' },
        lastError: { type: 'string' },
        since: timestamp('First failed attempt.'),
        nextAttemptAt: timestamp('When the next attempt is due.'),
      },
    },
    deliveries: { type: 'array', items: DELIVERY, description: 'Recent attempts, newest first (`events.webhookHistory`).' },
  },
};

/**
 * Builds the event and webhook path items.
 *
 * @param ctx - the document context.
 * @returns the path items, in document order.
 */
export function eventOperations(ctx: OpenApiContext): Json {
  const { op, responses } = ctx;
  const events = (perRegistry: boolean): Json => ({
    get: op({
      tags: ['events'],
      operationId: perRegistry ? 'registryEvents' : 'events',
      summary: perRegistry ? 'Stream one registry\'s changes (Server-Sent Events)' : 'Stream the catalogue\'s changes (Server-Sent Events)',
      description: EVENT_STREAM_DESCRIPTION,
      parameters: perRegistry ? [ref('parameters', 'RegistryName'), ...EVENT_PARAMETERS] : EVENT_PARAMETERS,
      responses: responses({ '200': streamResponse() }, perRegistry ? [400, 404, 503] : [400, 503]),
    }),
  });
  const webhookName: Json = { name: 'webhookName', in: 'path', required: true, description: 'A configured webhook.', schema: { type: 'string', pattern: REGISTRY_NAME_PATTERN } };
  return {
    '/v0.1/events': events(false),
    '/{registryName}/v0.1/events': events(true),
    '/v0.1/webhooks': {
      get: op({
        tags: ['admin'],
        operationId: 'listWebhooks',
        summary: 'List the webhooks and their recent deliveries',
        description:
          'Admins only; others get 403. Each configured receiver with its delivery state, lag and recent attempts. Deliveries follow ' +
          'Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`), one POST per change ' +
          'with body `{"type":"server.changed","timestamp":...,"position":<event id>,"data":<ServerResponse>}`, in change order, at ' +
          'least once, retried with exponential backoff.',
        responses: responses({ '200': json('The webhooks.', { type: 'object', required: ['webhooks'], properties: { webhooks: { type: 'array', items: WEBHOOK } } }) }, [403, 503]),
      }),
    },
    '/v0.1/webhooks/{webhookName}/redeliver': {
      post: op({
        tags: ['admin'],
        operationId: 'redeliverWebhook',
        summary: 'Redeliver to a webhook',
        description:
          'Admins only. With `since` (an event id) or `updated_since` (RFC 3339) every change after it is delivered again, in order; ' +
          'without a body a receiver that is backing off is retried now. Answers 202 with the webhook.',
        parameters: [webhookName],
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: { type: 'object', additionalProperties: false, properties: { since: { type: 'string' }, updated_since: { type: 'string', format: 'date-time' } } },
            },
          },
        },
        responses: responses({ '202': json('Redelivery accepted.', WEBHOOK) }, [400, 403, 404, 422, 503]),
      }),
    },
  };
}
