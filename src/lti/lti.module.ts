import { Module } from '@nestjs/common';
import { CoursesModule } from '../courses/courses.module';
import { EnrollmentsModule } from '../enrollments/enrollments.module';
import { UsersModule } from '../users/users.module';
import { LtiAdminController } from './lti-admin.controller';
import { LtiController } from './lti.controller';
import { LtiDeepLinkingService } from './lti-deep-linking.service';
import { LtiLaunchService } from './lti-launch.service';
import { LtiPlatformsService } from './lti-platforms.service';
import { LtiRegistrationService } from './lti-registration.service';
import { LtiScoresService } from './lti-scores.service';
import { ToolKeysService } from './tool-keys.service';

/** ExportReady as an LTI 1.3 tool: launches from an LMS, deep linking, grades back (docs/DESIGN.md, "LTI"). */
@Module({
  imports: [UsersModule, CoursesModule, EnrollmentsModule],
  controllers: [LtiController, LtiAdminController],
  providers: [ToolKeysService, LtiPlatformsService, LtiLaunchService, LtiDeepLinkingService, LtiScoresService, LtiRegistrationService],
})
export class LtiModule {}
