import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { MonitoredWorkerHost } from '../queues/monitored-worker-host';
import { DeliveryOutcome, XapiDeliveryService } from './xapi-delivery.service';
import { SEND_STATEMENTS_JOB, SendStatementsJob, XAPI_QUEUE, XAPI_WORKER_OPTIONS } from './xapi.queue';

/** The worker side of the xAPI queue: one job, one batch sent to the LRS. */
@Processor(XAPI_QUEUE, XAPI_WORKER_OPTIONS)
export class XapiProcessor extends MonitoredWorkerHost {
  constructor(private readonly delivery: XapiDeliveryService) {
    super('XapiWorker', 'xAPI worker');
  }

  process(job: Job<SendStatementsJob>): Promise<DeliveryOutcome> {
    if (job.name !== SEND_STATEMENTS_JOB) throw new UnrecoverableError(`unknown job "${job.name}"`);
    return this.delivery.deliver(job.data.rowIds);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<SendStatementsJob> | undefined, error: Error): void {
    this.logger.warn(
      `xAPI batch ${job?.id ?? '?'} failed (try ${job?.attemptsMade ?? '?'}): ${error.message}`,
    );
  }
}
