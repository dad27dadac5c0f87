import { InjectQueue, OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { BackgroundJobs } from './background-jobs';
import { BACKGROUND_QUEUE, BACKGROUND_WORKER_OPTIONS, BackgroundJobData, SCHEDULED_JOB_OPTIONS, SCHEDULED_QUEUE, SCHEDULED_WORKER_OPTIONS } from './background.queue';
import { MonitoredWorkerHost } from './monitored-worker-host';

/** Runs long background work (worker role): one job, one registered service call. */
@Processor(BACKGROUND_QUEUE, BACKGROUND_WORKER_OPTIONS)
export class BackgroundProcessor extends MonitoredWorkerHost {
  constructor(private readonly jobs: BackgroundJobs) {
    super('BackgroundWorker', 'background worker');
  }

  process(job: Job<BackgroundJobData>): Promise<unknown> {
    return this.jobs.runJob(job);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<BackgroundJobData> | undefined, error: Error): void {
    this.logger.warn(`${job?.name ?? 'job'} for run ${job?.data.runId ?? '?'} failed (try ${job?.attemptsMade ?? '?'}): ${error.message}`);
  }
}

/**
 * Periodic work (worker role): registers a job scheduler for each schedule a feature declared
 * and runs its handler on each tick. Upserting is idempotent, so every worker may do it.
 */
@Processor(SCHEDULED_QUEUE, SCHEDULED_WORKER_OPTIONS)
export class ScheduledProcessor extends MonitoredWorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: BackgroundJobs,
    @InjectQueue(SCHEDULED_QUEUE) private readonly queue: Queue,
  ) {
    super('Scheduler', 'scheduled work');
  }

  onApplicationBootstrap(): void {
    // Not awaited: with Redis down the start-up must not wait. Upserted again on every
    // reconnection, because a Redis that restarted without its data has lost the schedules.
    this.upsertSchedules();
    void this.queue
      .getBackend()
      .client.then((client) => (client as unknown as { on?: (event: string, listener: () => void) => void }).on?.('ready', () => this.upsertSchedules()))
      .catch(() => undefined);
  }

  private upsertSchedules(): void {
    for (const schedule of this.jobs.schedules) {
      this.queue
        .upsertJobScheduler(schedule.id, { every: schedule.every }, { name: schedule.id, opts: SCHEDULED_JOB_OPTIONS })
        .catch((error: unknown) => this.logger.error(`scheduling ${schedule.id} failed: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  process(job: Job): Promise<unknown> {
    return this.jobs.runScheduled(job.name);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    this.logger.warn(`${job?.name ?? 'scheduled job'} failed: ${error.message}`);
  }
}
