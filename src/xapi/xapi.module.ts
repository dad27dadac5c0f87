import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { CertificatesCoreModule } from '../certificates/certificates-core.module';
import { AppConfig } from '../config/app-config';
import { CoursesModule } from '../courses/courses.module';
import { EnrollmentsModule } from '../enrollments/enrollments.module';
import { QuizzesModule } from '../quizzes/quizzes.module';
import { UsersModule } from '../users/users.module';
import { XapiAdminController } from './xapi-admin.controller';
import { XapiDeliveryService } from './xapi-delivery.service';
import { XapiOutboxRelay } from './xapi-outbox.relay';
import { XapiRecorder } from './xapi-recorder.service';
import { XAPI_JOB_OPTIONS, XAPI_QUEUE } from './xapi.queue';
import { XapiProcessor } from './xapi.processor';

/**
 * xAPI statements to a learning record store. Sits above enrollments and certificates: it
 * listens to their events and writes statements in their transactions; they know nothing of
 * it. Every role records (events happen in web requests and in the worker); only the worker
 * relays the outbox and sends to the LRS; only the web serves the admin page.
 */
@Module({})
export class XapiModule {
  static forRoot(config: Pick<AppConfig, 'role' | 'xapi'>): DynamicModule {
    const web = config.role !== 'worker';
    // Switched off, no queue and no consumer: nothing connects to Redis for it.
    const sender = config.role !== 'web' && config.xapi !== null;
    return {
      module: XapiModule,
      imports: [
        UsersModule,
        CoursesModule,
        QuizzesModule,
        EnrollmentsModule,
        CertificatesCoreModule,
        ...(sender
          ? [BullModule.registerQueue({ name: XAPI_QUEUE, defaultJobOptions: XAPI_JOB_OPTIONS })]
          : []),
      ],
      controllers: web ? [XapiAdminController] : [],
      providers: [XapiRecorder, XapiDeliveryService, ...(sender ? [XapiOutboxRelay, XapiProcessor] : [])],
    };
  }
}
