import { randomBytes } from 'node:crypto';

/** A Redis key prefix of its own for one test app, so test files (and CI runs) sharing a Redis never see each other's jobs. */
export function testQueuePrefix(): string {
  return `er-test-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export { deleteQueueKeys } from '../../src/queues/redis-connection';
