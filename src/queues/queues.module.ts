import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MonitoredQueue } from './monitored-queue';
import { redisConnectionOptions } from './redis-connection';

/**
 * The one BullMQ connection setting for every queue of the app (certificates today; exports
 * and notifications later). Feature modules register their own queues with BullModule.registerQueue.
 */
@Module({})
export class QueuesModule {
  static forRoot(config: AppConfig): DynamicModule {
    BullModule.queueClass = MonitoredQueue;
    return {
      module: QueuesModule,
      imports: [BullModule.forRoot({ connection: redisConnectionOptions(config.redisUrl), prefix: config.queuePrefix })],
      exports: [BullModule],
    };
  }
}
