import type { DefaultJobOptions, WorkerOptions } from 'bullmq';
import type { Schedule } from '../queues/background.queue';

/** The video queue: names, options and worker settings live here and nowhere else. */
export const VIDEOS_QUEUE = 'videos';

export const TRANSCODE_VIDEO_JOB = 'transcode-video';

/** A job carries the video id only; the worker reads the rest from the database. */
export interface TranscodeVideoJob {
  videoId: number;
}

/**
 * One job per transcode attempt: a duplicate add (the upload's push and the sweep at once) is a
 * no-op, and an admin's retry (attempts + 1) is a new job. BullMQ 6 refuses numeric ids.
 */
export function transcodeJobId(video: { id: number; attempts: number }): string {
  return `${TRANSCODE_VIDEO_JOB}-${video.id}-${video.attempts}`;
}

export const VIDEO_JOB_OPTIONS: DefaultJobOptions = {
  // ffmpeg fails the same way twice: a failure is recorded on the video and an admin retries.
  attempts: 1,
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * One transcode at a time per worker: ffmpeg already uses every core. A killed worker's job
 * comes back once its lock expires (ffmpeg runs in a child process, so the lock is renewed
 * however long the video).
 */
export const VIDEO_WORKER_OPTIONS: Partial<WorkerOptions> = {
  concurrency: 1,
  lockDuration: 60_000,
  stalledInterval: 30_000,
  maxStalledCount: 2,
};

/** Videos left `queued` while Redis was down (or whose job Redis lost) are queued again. */
export const REQUEUE_VIDEOS_SCHEDULE: Schedule = { id: 'requeue-videos', every: 30_000 };

/** Hourly: uploads left unfinished for a day fail, and videos no lesson uses lose their files after VIDEO_UNUSED_DAYS. */
export const SWEEP_VIDEOS_SCHEDULE: Schedule = { id: 'sweep-videos', every: 3600_000 };
