import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { MonitoredWorkerHost } from '../queues/monitored-worker-host';
import { TRANSCODE_VIDEO_JOB, TranscodeVideoJob, VIDEO_WORKER_OPTIONS, VIDEOS_QUEUE } from './videos.queue';
import { VideosService } from './videos.service';

/** The worker side of the video queue: one job, one service call. */
@Processor(VIDEOS_QUEUE, VIDEO_WORKER_OPTIONS)
export class VideosProcessor extends MonitoredWorkerHost {
  constructor(private readonly videos: VideosService) {
    super('VideoWorker', 'video worker');
  }

  process(job: Job<TranscodeVideoJob>): Promise<void> {
    if (job.name !== TRANSCODE_VIDEO_JOB) throw new UnrecoverableError(`unknown job "${job.name}"`);
    return this.videos.transcode(job.data.videoId);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<TranscodeVideoJob> | undefined, error: Error): void {
    this.logger.warn(`video ${job?.data.videoId ?? '?'} failed to transcode: ${error.message}`);
  }
}
