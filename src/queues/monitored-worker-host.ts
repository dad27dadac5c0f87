import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { OutageLog } from './redis-connection';

/**
 * A queue consumer that logs a Redis outage once when it starts and once when it ends, and
 * does not hang at shutdown while Redis is gone: a normal close lets running jobs finish, but
 * with Redis down that wait would never end, so it closes at once (the jobs run again later,
 * and every job here is safe to run twice).
 */
export abstract class MonitoredWorkerHost extends WorkerHost implements BeforeApplicationShutdown {
  protected readonly logger: Logger;
  private readonly outage: OutageLog;

  protected constructor(name: string, what: string) {
    super();
    this.logger = new Logger(name);
    this.outage = new OutageLog(this.logger, what);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.outage.isDown) await this.worker.close(true);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.outage.failed(error);
  }

  @OnWorkerEvent('active')
  onActive(): void {
    this.outage.recovered();
  }
}
