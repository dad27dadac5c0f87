import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

/** A Redis key prefix of its own for one test app, so test files (and CI runs) sharing a Redis never see each other's jobs. */
export function testQueuePrefix(): string {
  return `er-test-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Removes a test app's queue keys; quietly does nothing when Redis is not there. */
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
