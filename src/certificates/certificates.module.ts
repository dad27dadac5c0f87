import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule, BullBoardModuleOptions } from '@bull-board/nestjs';
import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CoursesModule } from '../courses/courses.module';
import { EnrollmentsModule } from '../enrollments/enrollments.module';
import { MailModule } from '../mail/mail.module';
import { ProgrammesModule } from '../programmes/programmes.module';
import { UsersModule } from '../users/users.module';
import { CertificateMailer } from './certificate-mailer';
import { CertificateOutboxRelay } from './certificate-outbox.relay';
import { CertificateRegisterController } from './certificate-register.controller';
import { CertificateRegisterService } from './certificate-register.service';
import { CertificateVerificationService } from './certificate-verification.service';
import { CertificatesController } from './certificates.controller';
import { AdminOnlyMiddleware, CredentialUploadMiddleware, HolderCertificatesMiddleware } from './certificates.middleware';
import { CertificatesProcessor } from './certificates.processor';
import { CERTIFICATE_JOB_OPTIONS, CERTIFICATES_QUEUE } from './certificates.queue';
import { CertificatesService } from './certificates.service';
import { IssuerKeysService } from './credential/issuer-keys.service';
import { IssuerController } from './issuer.controller';
import { VerifyController } from './verify.controller';

export const QUEUE_DASHBOARD_ROUTE = '/admin/queues';

/**
 * Certificates, by process role: `web` serves the pages and relays the outbox to the queue,
 * `worker` consumes the queue (no HTTP), `all` does both.
 */
@Module({})
export class CertificatesModule implements NestModule {
  static forRoot(config: Pick<AppConfig, 'role'>): DynamicModule {
    const web = config.role !== 'worker';
    const worker = config.role !== 'web';
    return {
      module: CertificatesModule,
      imports: [
        UsersModule,
        CoursesModule,
        EnrollmentsModule,
        MailModule,
        ProgrammesModule,
        BullModule.registerQueue({ name: CERTIFICATES_QUEUE, defaultJobOptions: CERTIFICATE_JOB_OPTIONS }),
        ...(web
          ? [
              // @bull-board/express pins its own copy of @bull-board/api, whose types differ only nominally.
              BullBoardModule.forRoot({ route: QUEUE_DASHBOARD_ROUTE, adapter: ExpressAdapter as unknown as BullBoardModuleOptions['adapter'], middleware: AdminOnlyMiddleware }),
              BullBoardModule.forFeature({ name: CERTIFICATES_QUEUE, adapter: BullMQAdapter }),
            ]
          : []),
      ],
      controllers: web ? [VerifyController, IssuerController, CertificatesController, CertificateRegisterController] : [],
      providers: [
        CertificatesService,
        CertificateVerificationService,
        CertificateRegisterService,
        IssuerKeysService,
        CertificateMailer,
        // Every role: the relay pushes rows right after the commit that wrote them (completions
        // happen in web requests and in the worker's progress refreshes); its poll is scheduled work.
        CertificateOutboxRelay,
        ...(worker ? [CertificatesProcessor] : []),
      ],
      exports: [CertificatesService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HolderCertificatesMiddleware).forRoutes({ path: 'dashboard', method: RequestMethod.GET });
    consumer.apply(CredentialUploadMiddleware).forRoutes({ path: 'verify', method: RequestMethod.POST });
  }
}
