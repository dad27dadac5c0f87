import { Logger } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import Redis from 'ioredis';

/**
 * How BullMQ reaches Redis. Reconnects quickly and for ever: an outage only delays
 * certificates (they wait in the outbox), so there is never a reason to give up.
 */
export function redisConnectionOptions(redisUrl: string): ConnectionOptions {
  return {
    url: redisUrl,
    connectTimeout: 2000,
    retryStrategy: (attempt: number) => Math.min(250 * attempt, 2000),
  } as ConnectionOptions;
}

/**
 * Logs a Redis outage once when it starts and once when it ends, instead of one line per
 * reconnection attempt (ioredis retries every couple of seconds while Redis is down).
 */
export class OutageLog {
  private down = false;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  failed(error: unknown): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn(`${this.what}: Redis is not answering (${error instanceof Error ? error.message : String(error)}); retrying in the background`);
  }

  recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.log(`${this.what}: Redis answers again`);
  }

  get isDown(): boolean {
    return this.down;
  }
}

/**
 * Removes every key under a prefix (a test app's or a benchmark's queues, once it is done);
 * quietly does nothing when Redis is not there.
 */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Redis is down or gone: nothing to clean.
  } finally {
    redis.disconnect();
  }
}
