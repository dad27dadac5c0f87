import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { OutageLog } from '../queues/redis-connection';
import { CertificatesService, IssueOutcome } from './certificates.service';
import { CERTIFICATE_WORKER_OPTIONS, CERTIFICATES_QUEUE, ISSUE_CERTIFICATE_JOB, IssueCertificateJob } from './certificates.queue';

/** The worker side of the certificates queue: one job, one service call. */
@Processor(CERTIFICATES_QUEUE, CERTIFICATE_WORKER_OPTIONS)
export class CertificatesProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CertificateWorker');
  private readonly outage = new OutageLog(this.logger, 'certificate worker');

  constructor(
    private readonly certificates: CertificatesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
  }

  /**
   * A normal shutdown lets running jobs finish. With Redis gone that wait would never end (the
   * worker waits on its connection), so it closes at once: its jobs are retried elsewhere anyway.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.outage.isDown) await this.worker.close(true);
  }

  async process(job: Job<IssueCertificateJob>): Promise<IssueOutcome> {
    if (job.name !== ISSUE_CERTIFICATE_JOB) throw new UnrecoverableError(`unknown job "${job.name}"`);
    try {
      return await this.certificates.issue(job.data.certificateId);
    } catch (error) {
      // attemptsMade counts the tries that failed before this one.
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.certificates.recordFailure(job.data.certificateId, error, lastAttempt);
      throw error;
    }
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.outage.failed(error);
  }

  @OnWorkerEvent('active')
  onActive(): void {
    this.outage.recovered();
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<IssueCertificateJob> | undefined, error: Error): void {
    this.logger.warn(`certificate ${job?.data.certificateId ?? '?'} failed (try ${job?.attemptsMade ?? '?'}): ${error.message}`);
  }
}
