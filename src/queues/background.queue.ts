import type { DefaultJobOptions, WorkerOptions } from 'bullmq';

/**
 * The background queues: names, job names, schedules and job options live here and nowhere
 * else. A job carries ids only; the service that handles it reads the rest from the database.
 */

/** Long work started by a request (refreshing progress after a publish, applying a CSV file). */
export const BACKGROUND_QUEUE = 'background';

export const REFRESH_COURSE_PROGRESS_JOB = 'refresh-course-progress';
export const APPLY_BULK_ENROLMENT_JOB = 'apply-bulk-enrolment';
/** LTI: sends one row of lti_score_outbox (its id as runId) to the platform's gradebook. */
export const SEND_LTI_SCORE_JOB = 'send-lti-score';
export type BackgroundJobName = typeof REFRESH_COURSE_PROGRESS_JOB | typeof APPLY_BULK_ENROLMENT_JOB | typeof SEND_LTI_SCORE_JOB;

/** Every background job names the database row that records its run. */
export interface BackgroundJobData {
  runId: number;
}

/**
 * One job per run: the id makes a duplicate add (the request's push and the resume schedule
 * at once) a no-op. BullMQ 6 refuses purely numeric custom ids, hence the prefix.
 */
export function backgroundJobId(name: BackgroundJobName, runId: number): string {
  return `${name}-${runId}`;
}

export const BACKGROUND_JOB_OPTIONS: DefaultJobOptions = {
  // A run resumes from the cursor saved in its row, so a retry never repeats a committed chunk.
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * A killed worker's run is picked up again (from its cursor) within about a minute. Locks are
 * long because a busy SQLite write queue can delay their renewal (with 15 s locks a 100,000-learner
 * refresh lost its lock once under load and ran its last chunk twice — harmlessly, the cursor
 * update is conditional, but wastefully).
 */
export const BACKGROUND_WORKER_OPTIONS: Partial<WorkerOptions> = {
  concurrency: 2,
  lockDuration: 60_000,
  stalledInterval: 30_000,
  maxStalledCount: 5,
};

/**
 * Periodic work, produced by BullMQ job schedulers and consumed by worker processes only, so
 * any number of web processes sweep nothing. With Redis down the work simply waits.
 */
export const SCHEDULED_QUEUE = 'scheduled';

export interface Schedule {
  /** The job scheduler's id, also the name of the jobs it produces. */
  id: string;
  every: number;
}

export const SCHEDULES = {
  /** Attempts whose learner never came back are closed and graded with what was saved. */
  quizDeadlines: { id: 'close-expired-quiz-attempts', every: 15_000 },
  /** Outbox rows another process wrote, or kept back while Redis was down. */
  certificateOutbox: { id: 'relay-certificate-outbox', every: 1_000 },
  /** Re-queues certificates whose job got lost; forgets outbox rows sent long ago. */
  certificateHousekeeping: { id: 'certificate-housekeeping', every: 60_000 },
  /** Background runs written while Redis was down, or whose job Redis lost. */
  backgroundRuns: { id: 'resume-background-runs', every: 5_000 },
  sessionCleanup: { id: 'delete-expired-sessions', every: 15 * 60_000 },
} as const satisfies Record<string, Schedule>;

export const SCHEDULED_JOB_OPTIONS: DefaultJobOptions = {
  // The next tick does the same work: a failed one is not retried.
  attempts: 1,
  removeOnComplete: { count: 100 },
  removeOnFail: { age: 24 * 3600, count: 1000 },
};

/** A slow sweep must not hold up the others; a stalled tick is dropped (the next one does its work). */
export const SCHEDULED_WORKER_OPTIONS: Partial<WorkerOptions> = {
  concurrency: 4,
  lockDuration: 30_000,
  maxStalledCount: 0,
};
