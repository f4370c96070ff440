import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedisServer, type StartedRedis } from '../../devServices/redis.mjs';

/** A Redis for one test file: REDIS_URL when set, else a redis-server spawned on a free port. */
export interface TestRedis {
  url: string;
  /** A fresh key prefix, so tests sharing a server never see each other's keys. */
  prefix(): string;
  /** A plain client for assertions (closed by stop()). */
  client(): Redis;
  /** Stops the spawned server (restartable with restart()). */
  stopServer(): Promise<void>;
  /** Starts the spawned server again on the same port. */
  restart(): Promise<void>;
  /** Sends a signal to the spawned server (SIGSTOP / SIGCONT freeze and thaw it). */
  signal(sig: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/** Starts (or connects to) Redis for a test file. */
export async function startTestRedis(): Promise<TestRedis> {
  let spawned: StartedRedis | undefined = process.env.REDIS_URL ? undefined : await startRedisServer();
  const url = process.env.REDIS_URL ?? (spawned as StartedRedis).url;
  const port = spawned?.port;
  const clients: Redis[] = [];
  return {
    url,
    prefix: () => `t${randomBytes(5).toString('hex')}`,
    client() {
      const c = new Redis(url, { maxRetriesPerRequest: 1 });
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    async stopServer() {
      if (!spawned) throw new Error('cannot stop an external REDIS_URL server');
      await spawned.stop();
    },
    async restart() {
      if (port === undefined) throw new Error('cannot restart an external REDIS_URL server');
      spawned = await startRedisServer({ port });
    },
    signal(sig) {
      if (!spawned) throw new Error('cannot signal an external REDIS_URL server');
      spawned.process.kill(sig);
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await spawned?.stop();
    },
  };
}
