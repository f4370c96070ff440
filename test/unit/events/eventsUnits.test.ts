import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePosition, positionTimeMs } from '../../../src/catalog/ChangeFeed.js';
import { configSchema } from '../../../src/config/schema.js';
import { SseParser } from '../../../src/events/sseParser.js';
import { messageId, secretKey, signPayload } from '../../../src/webhooks/signature.js';

describe('Standard Webhooks signing', () => {
  it('matches the example in the Standard Webhooks specification', () => {
    const key = secretKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const sig = signPayload(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, Buffer.from('{"test": 2432232314}'));
    assert.equal(sig, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
  it('uses a raw secret as UTF-8 bytes, and gives stable per-receiver message ids', () => {
    assert.deepEqual(secretKey('plain'), Buffer.from('plain'));
    assert.equal(messageId('a', 'p1.x'), messageId('a', 'p1.x'));
    assert.notEqual(messageId('a', 'p1.x'), messageId('b', 'p1.x'));
  });
});

describe('SseParser', () => {
  it('parses events split across chunks, CRLF, comments and multi-line data', () => {
    const p = new SseParser();
    assert.deepEqual(p.push('retry: 2000\n\n: heartbeat\n\nid: 1\nevent: ser'), []);
    assert.deepEqual(p.push('ver\ndata: {"a":1}\r\n\r'), []);
    assert.deepEqual(p.push('\ndata: x\ndata: y\n\n'), [
      { event: 'server', data: '{"a":1}', id: '1' },
      { event: 'message', data: 'x\ny' },
    ]);
  });
  it('bounds a line', () => {
    assert.throws(() => new SseParser(8).push('data: 0123456789'), /longer than 8 bytes/);
  });
});

describe('event positions', () => {
  it('rejects positions the gateway did not issue', () => {
    for (const bad of ['', 'abc', 'p1.', 'p1.bm90IGpzb24', `p1.${Buffer.from('[1,2,3]').toString('base64url')}`]) assert.throws(() => decodePosition(bad), /Invalid event position/);
    const good = `p1.${Buffer.from(JSON.stringify([1_700_000_000_123_000, 'n', 'v'])).toString('base64url')}`;
    assert.equal(positionTimeMs(good), 1_700_000_000_123);
  });
});

describe('events and webhooks config', () => {
  const base = { registries: [{ name: 'internal', type: 'managed' }] };
  it('defaults: 15s heartbeat, 7d retention, no webhooks; webhooks default to the anonymous aggregated view', () => {
    const c = configSchema.parse({ ...base, webhooks: [{ name: 'm', url: 'https://h.example/x', secretEnv: 'S' }] });
    assert.equal(c.events.heartbeat, 15_000);
    assert.equal(c.events.retention, 7 * 86_400_000);
    assert.deepEqual(c.webhooks[0]?.as, ['$anonymous']);
    assert.deepEqual(c.webhooks[0]?.registries, ['*']);
  });
  it('rejects a heartbeat over 30s, duplicate webhook names and unknown registries', () => {
    const r = configSchema.safeParse({
      ...base,
      events: { heartbeat: '45s' },
      webhooks: [
        { name: 'm', url: 'https://h.example/x', secretEnv: 'S', registries: ['nope'] },
        { name: 'm', url: 'https://h.example/y', secretEnv: 'S' },
      ],
    });
    assert.ok(!r.success);
    const messages = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    assert.match(messages, /events\.heartbeat: must be at most 30s/);
  });
  it('reports webhook cross-field problems by path', () => {
    const r = configSchema.safeParse({
      ...base,
      webhooks: [
        { name: 'm', url: 'https://h.example/x', secretEnv: 'S', registries: ['nope'] },
        { name: 'm', url: 'https://h.example/y', secretEnv: 'S', registries: ['*', 'internal'] },
      ],
    });
    assert.ok(!r.success);
    const messages = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    assert.match(messages, /webhooks\.0\.registries\.0: no registry named "nope"/);
    assert.match(messages, /webhooks\.1\.name: duplicate webhook name "m"/);
    assert.match(messages, /webhooks\.1\.registries: "\*"/);
  });
});
