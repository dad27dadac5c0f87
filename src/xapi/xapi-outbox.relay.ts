import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Brackets, DataSource, EntitySubscriberInterface, In, LessThan, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { TransactionRunner } from '../database/transaction-runner';
import { BackgroundJobs, within } from '../queues/background-jobs';
import { OutageLog } from '../queues/redis-connection';
import { XapiOutbox } from './xapi-outbox.entity';
import { XAPI_OUTBOX_WRITTEN } from './xapi-recorder.service';
import { SEND_STATEMENTS_JOB, SendStatementsJob, STATEMENTS_PER_JOB, XAPI_QUEUE, XAPI_SCHEDULES } from './xapi.queue';

const BATCH = 500;
const REDIS_WAIT_MS = 1000;
const ADD_TIMEOUT_MS = 10_000;
/** A queued row still pending after this long lost its job (Redis lost its data, a job failed): queue it again. */
const STALE_QUEUED_MS = 10 * 60_000;
const KEEP_DELIVERED_MS = 7 * 24 * 3600_000;

/**
 * Moves due statements from the outbox onto the xAPI queue, in jobs of up to 50, and stamps
 * them queued: right after a transaction that wrote some commits, and every second on the
 * worker's schedule (rows due again after a backoff, kept back while Redis was down, or written
 * by another process). A row queued twice is harmless: the worker skips delivered rows, and the
 * LRS keeps one statement per id.
 */
@Injectable()
export class XapiOutboxRelay implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown, EntitySubscriberInterface {
  private readonly logger = new Logger('XapiOutbox');
  private readonly outage = new OutageLog(this.logger, 'xAPI outbox');
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
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

  onApplicationBootstrap(): void {
    if (!this.config.xapi) return;
    this.dataSource.subscribers.push(this);
    void this.relayPending();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
    await this.running;
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (!event.queryRunner.data?.[XAPI_OUTBOX_WRITTEN]) return;
    delete event.queryRunner.data[XAPI_OUTBOX_WRITTEN];
    void this.relayPending();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (event.queryRunner.data) delete event.queryRunner.data[XAPI_OUTBOX_WRITTEN];
  }

  /** Queues everything due. Calls while a run is going on fold into one more run after it. */
  relayPending(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped && (await this.relayBatch()) === BATCH);
        } while (this.again && !this.stopped);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async relayBatch(): Promise<number> {
    try {
      const now = new Date();
      // Through the transaction queue: on SQLite a plain read could see another request's uncommitted rows.
      const rows = await this.transactions.run((manager) =>
        manager
          .getRepository(XapiOutbox)
          .createQueryBuilder('o')
          .select(['o.id'])
          .where('o.state = :state AND o.nextAttemptAt <= :now', { state: 'pending', now })
          .andWhere(new Brackets((where) => where.where('o.queuedAt IS NULL').orWhere('o.queuedAt < :stale', { stale: new Date(now.getTime() - STALE_QUEUED_MS) })))
          .orderBy('o.id', 'ASC')
          .take(BATCH)
          .getMany(),
      );
      if (rows.length === 0) return 0;
      if (!(await this.redisAnswers())) return 0;
      const ids = rows.map((row) => row.id);
      const jobs = [];
      for (let at = 0; at < ids.length; at += STATEMENTS_PER_JOB) {
        const rowIds = ids.slice(at, at + STATEMENTS_PER_JOB);
        // The time makes a re-queue (after a backoff) a new job; BullMQ would ignore an id it still holds.
        jobs.push({ name: SEND_STATEMENTS_JOB, data: { rowIds }, opts: { jobId: `xapi-${rowIds[0]}-${rowIds[rowIds.length - 1]}-${now.getTime()}` } });
      }
      // Stamped before the jobs exist: a worker that answers "retry" before this stamp would otherwise lose its reschedule.
      await this.transactions.run((manager) => manager.getRepository(XapiOutbox).update({ id: In(ids), state: 'pending' }, { queuedAt: now }));
      try {
        await within(ADD_TIMEOUT_MS, this.queue.addBulk(jobs), 'adding xAPI jobs');
      } catch (error) {
        await this.transactions.run((manager) => manager.getRepository(XapiOutbox).update({ id: In(ids), queuedAt: now }, { queuedAt: null }));
        throw error;
      }
      this.outage.recovered();
      return rows.length;
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
    await this.transactions.run((manager) => manager.getRepository(XapiOutbox).delete({ state: 'delivered', deliveredAt: LessThan(cutoff) }));
  }
}
