import { LoginThrottle } from '../auth/login-throttle.entity';
import { SessionRecord } from '../auth/session.entity';
import { CourseModule } from '../courses/course-module.entity';
import { Course } from '../courses/course.entity';
import { Enrollment } from '../enrollments/enrollment.entity';
import { ModuleProgress } from '../enrollments/module-progress.entity';
import { User } from '../users/user.entity';
import { AppSetting } from './app-setting.entity';
import { Foundation1764300000000 } from './migrations/1764300000000-Foundation';
import { Quizzes1764350000000 } from './migrations/1764350000000-Quizzes';
import { QuizStatisticsIndex1764700000000 } from './migrations/1764700000000-QuizStatisticsIndex';
import { AttemptAnswer } from '../quizzes/entities/attempt-answer.entity';
import { QuizAttempt } from '../quizzes/entities/quiz-attempt.entity';
import { QuizQuestion } from '../quizzes/entities/quiz-question.entity';
import { Quiz } from '../quizzes/entities/quiz.entity';
import { Certificate } from '../certificates/certificate.entity';
import { CertificateOutbox } from '../certificates/certificate-outbox.entity';
import { IssuerKey } from '../certificates/credential/issuer-key.entity';
import { IssuerKeysStatusList1765100000000 } from './migrations/1765100000000-IssuerKeysStatusList';
import { Certificates1764400000000 } from './migrations/1764400000000-Certificates';
import { LearnerProfile } from '../programmes/entities/learner-profile.entity';
import { Programme, ProgrammeManager } from '../programmes/entities/programme.entity';
import { Cohort, CohortCourse, CohortManager, CohortMember } from '../programmes/entities/cohort.entity';
import { CohortEnrolment } from '../programmes/entities/cohort-enrolment.entity';
import { ProgrammeOutcomeStat, ProgrammeQuizStat, ProgrammeStat } from '../programmes/entities/programme-stats.entity';
import { ExportOutcome } from '../programmes/entities/export-outcome.entity';
import { AccountInvitation } from '../programmes/entities/account-invitation.entity';
import { EnrolmentImport, EnrolmentImportRow } from '../programmes/entities/enrolment-import.entity';
import { Programmes1764500000000 } from './migrations/1764500000000-Programmes';
import { CourseAuthor } from '../authoring/entities/course-author.entity';
import { CourseDraft } from '../authoring/entities/course-draft.entity';
import { AuditEntry } from '../audit/audit-entry.entity';
import { Authoring1764600000000 } from './migrations/1764600000000-Authoring';
import { CourseCover1764800000000 } from './migrations/1764800000000-CourseCover';
import { RequestThrottle } from './request-throttle.entity';
import { RequestThrottle1764900000000 } from './migrations/1764900000000-RequestThrottle';
import { CourseRefreshRun } from '../enrollments/course-refresh-run.entity';
import { BackgroundRuns1764950000000 } from './migrations/1764950000000-BackgroundRuns';
// LTI 1.3 (src/lti)
import { LtiAccount } from '../lti/entities/lti-account.entity';
import { LtiLaunchState } from '../lti/entities/lti-launch-state.entity';
import { LtiPlatform } from '../lti/entities/lti-platform.entity';
import { LtiLinkLearner, LtiResourceLink } from '../lti/entities/lti-resource-link.entity';
import { LtiScoreOutbox } from '../lti/entities/lti-score-outbox.entity';
import { Lti1765200000000 } from './migrations/1765200000000-Lti';
import { XapiOutbox } from '../xapi/xapi-outbox.entity';
import { XapiOutbox1765000000000 } from './migrations/1765000000000-XapiOutbox';
// Video lessons (src/videos)
import { LessonVideo } from '../videos/entities/lesson-video.entity';
import { VideoCaption } from '../videos/entities/video-caption.entity';
import { Video } from '../videos/entities/video.entity';
import { LessonVideos1765300000000 } from './migrations/1765300000000-LessonVideos';
// Lesson video watching (src/videos/watch) and the data saver setting
import { VideoWatch } from '../videos/watch/video-watch.entity';
import { VideoWatches1765310000000 } from './migrations/1765310000000-VideoWatches';
import { DataSaver1765320000000 } from './migrations/1765320000000-DataSaver';
import { VideoSweep1765330000000 } from './migrations/1765330000000-VideoSweep';

// Listed as classes, not globs, so the compiled app and Jest load exactly the same set.
// Each feature appends its own entities and migrations (migrations in timestamp order).
export const ENTITIES = [User, SessionRecord, LoginThrottle, AppSetting, Course, CourseModule, Enrollment, ModuleProgress, Quiz, QuizQuestion, QuizAttempt, AttemptAnswer, Certificate, CertificateOutbox, LearnerProfile, Programme, ProgrammeManager, Cohort, CohortCourse, CohortManager, CohortMember, CohortEnrolment, ProgrammeStat, ProgrammeQuizStat, ProgrammeOutcomeStat, ExportOutcome, AccountInvitation, EnrolmentImport, EnrolmentImportRow, CourseAuthor, CourseDraft, AuditEntry, RequestThrottle, CourseRefreshRun, IssuerKey, LtiPlatform, LtiLaunchState, LtiAccount, LtiResourceLink, LtiLinkLearner, LtiScoreOutbox, XapiOutbox, Video, VideoCaption, LessonVideo, VideoWatch];
export const MIGRATIONS = [Foundation1764300000000, Quizzes1764350000000, Certificates1764400000000, Programmes1764500000000, Authoring1764600000000, QuizStatisticsIndex1764700000000, CourseCover1764800000000, RequestThrottle1764900000000, BackgroundRuns1764950000000, XapiOutbox1765000000000, IssuerKeysStatusList1765100000000, Lti1765200000000, LessonVideos1765300000000, VideoWatches1765310000000, DataSaver1765320000000, VideoSweep1765330000000];
