import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MonitoredWorkerHost } from '../queues/monitored-worker-host';
import { CertificatesService, IssueOutcome } from './certificates.service';
import { CERTIFICATE_WORKER_OPTIONS, CERTIFICATES_QUEUE, ISSUE_CERTIFICATE_JOB, IssueCertificateJob } from './certificates.queue';

/** The worker side of the certificates queue: one job, one service call. */
@Processor(CERTIFICATES_QUEUE, CERTIFICATE_WORKER_OPTIONS)
export class CertificatesProcessor extends MonitoredWorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly certificates: CertificatesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super('CertificateWorker', 'certificate worker');
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.workerConcurrency;
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

  @OnWorkerEvent('failed')
  onFailed(job: Job<IssueCertificateJob> | undefined, error: Error): void {
    this.logger.warn(`certificate ${job?.data.certificateId ?? '?'} failed (try ${job?.attemptsMade ?? '?'}): ${error.message}`);
  }
}
