import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Brackets, In, LessThan } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { TransactionRunner } from '../database/transaction-runner';
import { BackgroundJobs, within } from '../queues/background-jobs';
import { OutageLog } from '../queues/redis-connection';
import { XapiOutbox } from './xapi-outbox.entity';
import {
  SEND_STATEMENTS_JOB,
  SendStatementsJob,
  STATEMENTS_PER_JOB,
  XAPI_QUEUE,
  XAPI_SCHEDULES,
} from './xapi.queue';

const BATCH = 500;
const REDIS_WAIT_MS = 1000;
const ADD_TIMEOUT_MS = 10_000;
/** A queued row still pending after this long lost its job (Redis lost its data, a job failed): queue it again. */
const STALE_QUEUED_MS = 10 * 60_000;
const KEEP_DELIVERED_MS = 7 * 24 * 3600_000;

/**
 * Moves due statements from the outbox onto the xAPI queue, in jobs of up to 50, and stamps
 * them queued, every second on the worker's schedule: rows written since the last tick, due
 * again after a backoff, or kept back while Redis was down. Unlike the certificates' relay it
 * does not run after each commit: a second's delay means nothing to an LRS, and the learner's
 * request then pays for one INSERT and nothing else, while the worker sends a second's worth of
 * statements in one request. A row queued twice is harmless: the worker skips delivered rows,
 * and the LRS keeps one statement per id.
 */
@Injectable()
export class XapiOutboxRelay implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('XapiOutbox');
  private readonly outage = new OutageLog(this.logger, 'xAPI outbox');
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly transactions: TransactionRunner,
    @InjectQueue(XAPI_QUEUE) private readonly queue: Queue<SendStatementsJob>,
    private readonly jobs: BackgroundJobs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.xapi) return;
    this.jobs.every(XAPI_SCHEDULES.outbox, () => this.relayPending());
    this.jobs.every(XAPI_SCHEDULES.housekeeping, () => this.housekeeping());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Queues everything due; a tick that finds the previous one still going leaves the work to it. */
  relayPending(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        while (!this.stopped && (await this.relayBatch()) === BATCH);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async relayBatch(): Promise<number> {
    try {
      if (!(await this.redisAnswers())) return 0;
      const now = new Date();
      // Read and stamped in one transaction (on SQLite a plain read could see another request's
      // uncommitted rows), before the jobs exist: a worker answering "retry" before a later stamp
      // would lose its reschedule.
      const ids = await this.transactions.run(async (manager) => {
        const repository = manager.getRepository(XapiOutbox);
        const due = await repository
          .createQueryBuilder('o')
          .select(['o.id'])
          .where('o.state = :state AND o.nextAttemptAt <= :now', { state: 'pending', now })
          .andWhere(
            new Brackets((where) =>
              where
                .where('o.queuedAt IS NULL')
                .orWhere('o.queuedAt < :stale', { stale: new Date(now.getTime() - STALE_QUEUED_MS) }),
            ),
          )
          .orderBy('o.id', 'ASC')
          .take(BATCH)
          .getMany();
        if (due.length > 0) await repository.update({ id: In(due.map((row) => row.id)) }, { queuedAt: now });
        return due.map((row) => row.id);
      });
      if (ids.length === 0) return 0;
      const jobs = [];
      for (let at = 0; at < ids.length; at += STATEMENTS_PER_JOB) {
        const rowIds = ids.slice(at, at + STATEMENTS_PER_JOB);
        // The time makes a re-queue (after a backoff) a new job; BullMQ would ignore an id it still holds.
        jobs.push({
          name: SEND_STATEMENTS_JOB,
          data: { rowIds },
          opts: { jobId: `xapi-${rowIds[0]}-${rowIds[rowIds.length - 1]}-${now.getTime()}` },
        });
      }
      try {
        await within(ADD_TIMEOUT_MS, this.queue.addBulk(jobs), 'adding xAPI jobs');
      } catch (error) {
        await this.transactions.run((manager) =>
          manager.getRepository(XapiOutbox).update({ id: In(ids), queuedAt: now }, { queuedAt: null }),
        );
        throw error;
      }
      this.outage.recovered();
      return ids.length;
    } catch (error) {
      this.outage.failed(error);
      return 0;
    }
  }

  private async redisAnswers(): Promise<boolean> {
    try {
      const client = await within(REDIS_WAIT_MS, this.queue.getBackend().client, 'connecting to Redis');
      return client.status === 'ready';
    } catch (error) {
      this.outage.failed(error);
      return false;
    }
  }

  private async housekeeping(): Promise<void> {
    const cutoff = new Date(Date.now() - KEEP_DELIVERED_MS);
    await this.transactions.run((manager) =>
      manager.getRepository(XapiOutbox).delete({ state: 'delivered', deliveredAt: LessThan(cutoff) }),
    );
  }
}
