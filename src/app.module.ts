import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './auth/auth.module';
import { CacheModule } from './cache/cache.module';
import { CertificatesModule } from './certificates/certificates.module';
import { AppExceptionFilter } from './common/exception.filter';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { ContentModule } from './content/content.module';
import { CoursesModule } from './courses/courses.module';
import { DatabaseModule } from './database/database.module';
import { dataSourceOptions } from './database/data-source';
import { EnrollmentsModule } from './enrollments/enrollments.module';
import { HealthModule } from './health/health.module';
import { I18nModule } from './i18n/i18n.module';
import { LocaleMiddleware } from './i18n/locale.middleware';
import { ManageModule } from './manage/manage.module';
import { QueuesModule } from './queues/queues.module';
import { StorageModule } from './storage/storage.module';
import { OfflineModule } from './offline/offline.module';
import { AuthoringModule } from './authoring/authoring.module';
import { AuditModule } from './audit/audit.module';
import { UsersModule } from './users/users.module';
import { ClockModule } from './common/clock';
import { QuizzesModule } from './quizzes/quizzes.module';
import { LtiModule } from './lti/lti.module';
import { XapiModule } from './xapi/xapi.module';
import { WatchModule } from './videos/watch/watch.module';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.database)),
        DatabaseModule,
        CacheModule,
        ClockModule,
        I18nModule,
        UsersModule,
        AuthModule,
        CoursesModule,
        QuizzesModule,
        ContentModule,
        EnrollmentsModule,
        ManageModule,
        HealthModule,
        QueuesModule.forRoot(config),
        StorageModule,
        CertificatesModule.forRoot(config),
        OfflineModule,
        AuditModule,
        AuthoringModule,
        LtiModule,
        XapiModule.forRoot(config),
        // Brings VideosModule.forRoot with it: importing that here as well registered its queue twice.
        WatchModule.forRoot(config),
      ],
      providers: [{ provide: APP_FILTER, useClass: AppExceptionFilter }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(LocaleMiddleware).exclude({ path: 'health/*path', method: RequestMethod.ALL }).forRoutes('*');
  }
}
