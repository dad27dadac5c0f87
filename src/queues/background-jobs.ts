import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { OutageLog } from './redis-connection';
import { BACKGROUND_QUEUE, BackgroundJobData, BackgroundJobName, backgroundJobId, Schedule } from './background.queue';

const REDIS_WAIT_MS = 1000;
const ADD_TIMEOUT_MS = 10_000;

export type BackgroundHandler = (data: BackgroundJobData, job: Job<BackgroundJobData>) => Promise<unknown>;
export type ScheduledHandler = () => Promise<unknown>;

export function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Where features hand work to the worker role without knowing about it: they register a
 * handler for a background job or a schedule at start-up, and enqueue runs by id. Only worker
 * processes consume (see background.processor.ts); web processes only produce.
 */
@Injectable()
export class BackgroundJobs {
  private readonly logger = new Logger('BackgroundJobs');
  private readonly outage = new OutageLog(this.logger, 'background queue');
  private readonly handlers = new Map<string, BackgroundHandler>();
  private readonly scheduled = new Map<string, { schedule: Schedule; handlers: ScheduledHandler[] }>();

  constructor(@InjectQueue(BACKGROUND_QUEUE) private readonly queue: Queue<BackgroundJobData>) {}

  handle(name: BackgroundJobName, handler: BackgroundHandler): void {
    this.handlers.set(name, handler);
  }

  /** Several features may hang work on one schedule; each tick runs them one after the other. */
  every(schedule: Schedule, handler: ScheduledHandler): void {
    const entry = this.scheduled.get(schedule.id);
    if (entry) entry.handlers.push(handler);
    else this.scheduled.set(schedule.id, { schedule, handlers: [handler] });
  }

  get schedules(): Schedule[] {
    return [...this.scheduled.values()].map((entry) => entry.schedule);
  }

  runJob(job: Job<BackgroundJobData>): Promise<unknown> {
    const handler = this.handlers.get(job.name);
    if (!handler) throw new UnrecoverableError(`unknown background job "${job.name}"`);
    return handler(job.data, job);
  }

  async runScheduled(name: string): Promise<void> {
    // A schedule left in Redis by an older version of the app finds no handlers: nothing to do.
    const failures: unknown[] = [];
    for (const handler of this.scheduled.get(name)?.handlers ?? []) await handler().catch((error: unknown) => failures.push(error));
    if (failures.length) throw failures[0];
  }

  /**
   * Queues runs (a duplicate of a queued or running one is a no-op). Returns false, without
   * waiting, when Redis does not answer: the runs stay in the database and the resume
   * schedule queues them once it does.
   */
  async enqueue(name: BackgroundJobName, runIds: number[]): Promise<boolean> {
    if (runIds.length === 0) return true;
    try {
      const client = await within(REDIS_WAIT_MS, this.queue.getBackend().client, 'connecting to Redis');
      if (client.status !== 'ready') return false;
      await within(
        ADD_TIMEOUT_MS,
        this.queue.addBulk(runIds.map((runId) => ({ name, data: { runId }, opts: { jobId: backgroundJobId(name, runId) } }))),
        'adding background jobs',
      );
      this.outage.recovered();
      return true;
    } catch (error) {
      this.outage.failed(error);
      return false;
    }
  }
}
