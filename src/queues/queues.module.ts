import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { BackgroundJobs } from './background-jobs';
import { BackgroundProcessor, ScheduledProcessor } from './background.processor';
import { BACKGROUND_JOB_OPTIONS, BACKGROUND_QUEUE, SCHEDULED_JOB_OPTIONS, SCHEDULED_QUEUE } from './background.queue';
import { MonitoredQueue } from './monitored-queue';
import { redisConnectionOptions } from './redis-connection';

/**
 * The one BullMQ connection setting for every queue of the app, and the background and
 * scheduled queues any feature may use through BackgroundJobs (global). Their consumers exist
 * in worker processes only (role `worker` or `all`). Feature modules with queues of their own
 * (certificates) register them with BullModule.registerQueue.
 */
@Module({})
export class QueuesModule {
  static forRoot(config: AppConfig): DynamicModule {
    BullModule.queueClass = MonitoredQueue;
    const worker = config.role !== 'web';
    return {
      module: QueuesModule,
      global: true,
      imports: [
        BullModule.forRoot({ connection: redisConnectionOptions(config.redisUrl), prefix: config.queuePrefix }),
        BullModule.registerQueue(
          { name: BACKGROUND_QUEUE, defaultJobOptions: BACKGROUND_JOB_OPTIONS },
          { name: SCHEDULED_QUEUE, defaultJobOptions: SCHEDULED_JOB_OPTIONS },
        ),
      ],
      providers: [BackgroundJobs, ...(worker ? [BackgroundProcessor, ScheduledProcessor] : [])],
      exports: [BullModule, BackgroundJobs],
    };
  }
}
