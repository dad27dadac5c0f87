import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { OutageLog } from './redis-connection';

/**
 * Every queue of the app, with an error listener from the moment it exists. A BullMQ queue
 * starts connecting in its constructor; with Redis down, errors raised before anyone listens
 * would be printed raw, once per reconnection attempt.
 */
export class MonitoredQueue extends Queue {
  constructor(...args: ConstructorParameters<typeof Queue>) {
    super(...args);
    const outage = new OutageLog(new Logger('Queues'), `queue "${this.name}"`);
    this.on('error', (error) => outage.failed(error));
    // After a reconnection ioredis says "ready" again: the outage is over.
    void this.getBackend()
      .client.then((client) => {
        outage.recovered();
        (client as unknown as { on?: (event: string, listener: () => void) => void }).on?.('ready', () => outage.recovered());
      })
      .catch(() => undefined);
  }
}
