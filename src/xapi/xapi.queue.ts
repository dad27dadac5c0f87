import type { DefaultJobOptions, WorkerOptions } from 'bullmq';
import type { Schedule } from '../queues/background.queue';

/** The xAPI queue: names, job options and schedules live here and nowhere else. */
export const XAPI_QUEUE = 'xapi';

export const SEND_STATEMENTS_JOB = 'send-statements';

/** A job carries outbox row ids only; the worker reads the statements from the database. */
export interface SendStatementsJob {
  rowIds: number[];
}

/** Statements sent in one request: the LRS answers a batch at once, and a refused batch is resent one by one. */
export const STATEMENTS_PER_JOB = 50;

export const XAPI_JOB_OPTIONS: DefaultJobOptions = {
  // A job that failed (the database, not the LRS: the rows carry the LRS's retries) leaves its
  // rows queued; the relay queues them again once they count as stale.
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** One batch at a time: statements reach the LRS in the order they were recorded (one worker process). */
export const XAPI_WORKER_OPTIONS: Partial<WorkerOptions> = {
  concurrency: 1,
  lockDuration: 30_000,
  stalledInterval: 15_000,
  maxStalledCount: 2,
};

export const XAPI_SCHEDULES = {
  /** Rows another process wrote, kept back while Redis was down, or due again after a backoff. */
  outbox: { id: 'relay-xapi-outbox', every: 1_000 },
  /** Forgets statements delivered long ago. */
  housekeeping: { id: 'xapi-housekeeping', every: 3600_000 },
} as const satisfies Record<string, Schedule>;
