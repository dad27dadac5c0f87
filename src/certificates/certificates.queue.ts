import type { DefaultJobOptions, WorkerOptions } from 'bullmq';

/** The certificates queue: names, job options and worker settings live here and nowhere else. */
export const CERTIFICATES_QUEUE = 'certificates';

export const ISSUE_CERTIFICATE_JOB = 'issue-certificate';

/** A job carries the certificate id only; the worker reads everything else from the database. */
export interface IssueCertificateJob {
  certificateId: number;
}

/**
 * The job id makes a duplicate harmless: BullMQ ignores an add whose id it already holds.
 * BullMQ 6 refuses purely numeric custom ids, hence the prefix. A deliberate second run (an
 * admin's retry, a re-queue after Redis lost its data) needs a new id: `requeue` tells them apart.
 */
export function issueCertificateJobId(certificateId: number, requeue?: string): string {
  return requeue ? `certificate-${certificateId}-${requeue}` : `certificate-${certificateId}`;
}

export const CERTIFICATE_JOB_OPTIONS: DefaultJobOptions = {
  // 1 s, 2 s, 4 s, 8 s, … about two minutes over eight tries before the certificate is marked failed.
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  // Failed jobs stay a week for the queue dashboard; the certificate keeps its own error for good.
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * A killed worker's job is picked up again once its lock expires: short locks (renewed while a
 * job runs) bring it back within ~20 s instead of a minute. A job may stall twice before failing.
 */
export const CERTIFICATE_WORKER_OPTIONS: Partial<WorkerOptions> = {
  lockDuration: 15_000,
  stalledInterval: 5_000,
  maxStalledCount: 2,
};
