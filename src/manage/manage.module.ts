import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { CertificatesCoreModule } from '../certificates/certificates-core.module';
import { CoursesModule } from '../courses/courses.module';
import { ProgrammesModule } from '../programmes/programmes.module';
import { QuizzesModule } from '../quizzes/quizzes.module';
import { BulkEnrolmentController } from './bulk-enrolment.controller';
import { BulkEnrolmentPages } from './bulk-enrolment.pages';
import { CertificateRegisterController } from './certificate-register.controller';
import { CohortSettingsController } from './cohort-settings.controller';
import { DashboardPagesService } from './dashboard-pages.service';
import { ImportUploadMiddleware } from './import-upload.middleware';
import { ManageController } from './manage.controller';
import { MembersController } from './members.controller';
import { ProgrammeSettingsController } from './programme-settings.controller';
import { ReportsController } from './reports.controller';
import { SettingsPagesService } from './settings-pages.service';

/** Everything under /manage: dashboards, exports, programmes, cohorts, bulk enrolment and the certificate register. */
@Module({
  imports: [ProgrammesModule, QuizzesModule, CoursesModule, CertificatesCoreModule],
  controllers: [
    ManageController,
    ProgrammeSettingsController,
    CohortSettingsController,
    MembersController,
    BulkEnrolmentController,
    ReportsController,
    CertificateRegisterController,
  ],
  providers: [DashboardPagesService, SettingsPagesService, BulkEnrolmentPages],
})
export class ManageModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ImportUploadMiddleware).forRoutes({ path: 'manage/programmes/:id/import', method: RequestMethod.POST });
  }
}
