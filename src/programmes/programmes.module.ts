import { Module } from '@nestjs/common';
import { CertificatesCoreModule } from '../certificates/certificates-core.module';
import { CoursesModule } from '../courses/courses.module';
import { EnrollmentsModule } from '../enrollments/enrollments.module';
import { MailModule } from '../mail/mail.module';
import { QuizzesModule } from '../quizzes/quizzes.module';
import { UsersModule } from '../users/users.module';
import { BulkEnrolmentService } from './bulk-enrolment.service';
import { InvitationsService } from './invitations.service';
import { JoinController } from './join.controller';
import { MembershipService } from './membership.service';
import { OutcomesController } from './outcomes.controller';
import { OutcomesService } from './outcomes.service';
import { ProfileController } from './profile.controller';
import { ProfilesService } from './profiles.service';
import { ProgrammesService } from './programmes.service';
import { ReportsService } from './reports.service';
import { SetPasswordController } from './set-password.controller';
import { ProgrammeStatsService } from './stats/programme-stats.service';

/**
 * Programmes and cohorts, the learner profile, export outcomes, bulk enrolment and the
 * reporting behind /manage. The learner-facing pages live here; the managers' pages in manage/.
 */
@Module({
  imports: [UsersModule, CoursesModule, QuizzesModule, EnrollmentsModule, MailModule, CertificatesCoreModule],
  controllers: [ProfileController, JoinController, OutcomesController, SetPasswordController],
  providers: [ProgrammeStatsService, ProfilesService, ProgrammesService, MembershipService, InvitationsService, BulkEnrolmentService, OutcomesService, ReportsService],
  exports: [ProgrammeStatsService, ProfilesService, ProgrammesService, MembershipService, InvitationsService, BulkEnrolmentService, OutcomesService, ReportsService],
})
export class ProgrammesModule {}
