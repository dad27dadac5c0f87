import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { BullBoardModule, BullBoardModuleOptions } from '@bull-board/nestjs';
import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { EnrollmentsModule } from '../enrollments/enrollments.module';
import { CertificateOutboxRelay } from './certificate-outbox.relay';
import { CertificatesCoreModule } from './certificates-core.module';
import { CertificatesController } from './certificates.controller';
import { AdminOnlyMiddleware, CredentialUploadMiddleware } from './certificates.middleware';
import { CertificatesProcessor } from './certificates.processor';
import { CERTIFICATE_JOB_OPTIONS, CERTIFICATES_QUEUE } from './certificates.queue';
import { HolderCertificatesSection } from './holder-certificates.section';
import { IssuerController, StatusListController, WellKnownController } from './issuer.controller';
import { IssuerKeysAdminController } from './issuer-keys-admin.controller';
import { QUEUE_DASHBOARD_ROUTE, QueueDashboardAdapter, QueueDashboardCsrfMiddleware } from './queue-dashboard';
import { VerifyController } from './verify.controller';

export { QUEUE_DASHBOARD_ROUTE };

/**
 * Certificates, by process role: `web` serves the pages and relays the outbox to the queue,
 * `worker` consumes the queue (no HTTP), `all` does both. The services themselves are in
 * CertificatesCoreModule; the managers' register is served by the manage module.
 */
@Module({})
export class CertificatesModule implements NestModule {
  static forRoot(config: Pick<AppConfig, 'role'>): DynamicModule {
    const web = config.role !== 'worker';
    const worker = config.role !== 'web';
    return {
      module: CertificatesModule,
      imports: [
        CertificatesCoreModule,
        EnrollmentsModule,
        AuditModule,
        BullModule.registerQueue({ name: CERTIFICATES_QUEUE, defaultJobOptions: CERTIFICATE_JOB_OPTIONS }),
        ...(web
          ? [
              // @bull-board/express pins its own copy of @bull-board/api, whose types differ only nominally.
              BullBoardModule.forRoot({ route: QUEUE_DASHBOARD_ROUTE, adapter: QueueDashboardAdapter as unknown as BullBoardModuleOptions['adapter'], middleware: [AdminOnlyMiddleware, QueueDashboardCsrfMiddleware] }),
              BullBoardModule.forFeature({ name: CERTIFICATES_QUEUE, adapter: BullMQAdapter }),
            ]
          : []),
      ],
      controllers: web ? [VerifyController, IssuerController, WellKnownController, StatusListController, IssuerKeysAdminController, CertificatesController] : [],
      providers: [
        // Every role: the relay pushes rows right after the commit that wrote them (completions
        // happen in web requests and in the worker's progress refreshes); its poll is scheduled work.
        CertificateOutboxRelay,
        ...(web ? [HolderCertificatesSection] : []),
        ...(worker ? [CertificatesProcessor] : []),
      ],
      exports: [CertificatesCoreModule],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CredentialUploadMiddleware).forRoutes({ path: 'verify', method: RequestMethod.POST });
  }
}
