import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource, EntitySubscriberInterface, In, IsNull, LessThan, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import { BackgroundJobs } from '../queues/background-jobs';
import { SCHEDULES } from '../queues/background.queue';
import { OutageLog } from '../queues/redis-connection';
import { CertificateOutbox } from './certificate-outbox.entity';
import { CertificatesService, OUTBOX_WRITTEN } from './certificates.service';
import { CERTIFICATES_QUEUE, ISSUE_CERTIFICATE_JOB, IssueCertificateJob } from './certificates.queue';

const BATCH = 500;
const REDIS_WAIT_MS = 1000;
const ADD_TIMEOUT_MS = 10_000;
/** Long enough for all retries of a job (about 4 minutes) and a queue backlog; short enough to notice lost jobs. */
const STALE_PENDING_MS = 15 * 60_000;
const KEEP_SENT_ROWS_MS = 7 * 24 * 3600_000;

function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Moves outbox rows onto the certificates queue and stamps them sent: right after a transaction
 * that wrote some commits (in whichever process wrote them), and every second anyway on the
 * worker's schedule (rows kept back while Redis was down, or left by a process that stopped).
 * Adding a row twice is harmless, the job id makes the second a no-op.
 */
@Injectable()
export class CertificateOutboxRelay implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown, EntitySubscriberInterface {
  private readonly logger = new Logger('CertificateOutbox');
  private readonly outage = new OutageLog(this.logger, 'certificate outbox');
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly certificates: CertificatesService,
    @InjectQueue(CERTIFICATES_QUEUE) private readonly queue: Queue<IssueCertificateJob>,
    private readonly jobs: BackgroundJobs,
  ) {}

  onModuleInit(): void {
    this.jobs.every(SCHEDULES.certificateOutbox, () => this.relayPending());
    this.jobs.every(SCHEDULES.certificateHousekeeping, () => this.housekeeping());
  }

  onApplicationBootstrap(): void {
    this.dataSource.subscribers.push(this);
    this.relayPending();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
    await this.running;
  }

  /** TypeORM calls this after every commit; only transactions that wrote outbox rows wake the relay. */
  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (!event.queryRunner.data?.[OUTBOX_WRITTEN]) return;
    delete event.queryRunner.data[OUTBOX_WRITTEN];
    this.relayPending();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (event.queryRunner.data) delete event.queryRunner.data[OUTBOX_WRITTEN];
  }

  /** Sends everything unsent. Calls while a run is going on fold into one more run after it. */
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
      // Read through the transaction queue: on SQLite a plain read could run inside another
      // request's open transaction and queue a job for a row that is not committed yet.
      const rows = await this.transactions.run((manager) =>
        manager.getRepository(CertificateOutbox).find({ where: { sentAt: IsNull() }, order: { id: 'ASC' }, take: BATCH }),
      );
      if (rows.length === 0) return 0;
      // With Redis down BullMQ would hold each add until it reconnects: look first, and leave the rows for later.
      if (!(await this.redisAnswers())) return 0;
      await within(
        ADD_TIMEOUT_MS,
        this.queue.addBulk(rows.map((row) => ({ name: ISSUE_CERTIFICATE_JOB, data: { certificateId: row.certificateId }, opts: { jobId: row.jobId } }))),
        'adding certificate jobs',
      );
      const sentAt = new Date();
      await this.transactions.run((manager) => manager.getRepository(CertificateOutbox).update({ id: In(rows.map((row) => row.id)) }, { sentAt }));
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

  /** Re-queues certificates whose job got lost, and forgets rows sent long ago. */
  private async housekeeping(): Promise<void> {
    if (this.stopped || this.outage.isDown) return;
    try {
      if ((await this.certificates.requeueStalePending(STALE_PENDING_MS)) > 0) this.relayPending();
      const cutoff = new Date(Date.now() - KEEP_SENT_ROWS_MS);
      await this.transactions.run((manager) => manager.getRepository(CertificateOutbox).delete({ sentAt: LessThan(cutoff) }));
    } catch (error) {
      this.logger.error(`outbox housekeeping failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
