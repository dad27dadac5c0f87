import { Module } from '@nestjs/common';
import { CoursesModule } from '../courses/courses.module';
import { EnrollmentsModule } from '../enrollments/enrollments.module';
import { MailModule } from '../mail/mail.module';
import { UsersModule } from '../users/users.module';
import { CertificateMailer } from './certificate-mailer';
import { CertificateRegisterService } from './certificate-register.service';
import { CertificateVerificationService } from './certificate-verification.service';
import { CertificatesService } from './certificates.service';
import { IssuerKeysService } from './credential/issuer-keys.service';
import { StatusListService } from './credential/status-list.service';

/**
 * The certificates' services, the same in every process role: what higher modules import
 * (programmes listens to certificate changes, manage serves the register). The pages, the
 * queue, the relay and the worker are added by CertificatesModule.forRoot for the role.
 */
@Module({
  imports: [UsersModule, CoursesModule, EnrollmentsModule, MailModule],
  providers: [CertificatesService, CertificateVerificationService, CertificateRegisterService, IssuerKeysService, StatusListService, CertificateMailer],
  exports: [CertificatesService, CertificateVerificationService, CertificateRegisterService, IssuerKeysService],
})
export class CertificatesCoreModule {}
