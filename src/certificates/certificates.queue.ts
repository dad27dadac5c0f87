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
 * BullMQ 6 refuses purely numeric custom ids, hence the prefix. The id alone would repeat after
 * a database restore or reset (ids start again, Redis still holds the old completed jobs, and
 * the new certificate's job would be dropped as a duplicate), so the serial is part of it: drawn
 * at random for every new certificate, the same for every run of the same one. A deliberate
 * second run (an admin's retry, a re-queue after Redis lost its data) needs a new id: `requeue`
 * tells them apart.
 */
export function issueCertificateJobId(certificate: { id: number; serial: string }, requeue?: string): string {
  const id = `certificate-${certificate.id}-${certificate.serial}`;
  return requeue ? `${id}-${requeue}` : id;
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
