import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CertificatesService } from '../certificates/certificates.service';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CoursesService } from '../courses/courses.service';
import { AssessmentService } from '../enrollments/assessment.service';
import { Enrollment } from '../enrollments/enrollment.entity';
import { EnrollmentsService, LessonVisit } from '../enrollments/enrollments.service';
import { QuizAttempt } from '../quizzes/entities/quiz-attempt.entity';
import { QuizzesService } from '../quizzes/quizzes.service';
import { UsersService } from '../users/users.service';
import {
  buildStatement,
  certificateActivity,
  CourseFacts,
  courseActivity,
  Learner,
  lessonActivity,
  questionActivity,
  quizActivity,
  scoreOf,
  StatementInput,
  StatementSite,
} from './statements';
import { XapiOutbox } from './xapi-outbox.entity';

/**
 * Turns learner events into xAPI statements in the outbox, inside the event's own transaction
 * (it registers on the lower modules' hooks, which call it there). Reads go through that
 * transaction too: a second pooled connection would wait on its locks on MariaDB. With
 * XAPI_ENDPOINT unset it registers nothing, so no page pays for it.
 */
@Injectable()
export class XapiRecorder implements OnModuleInit {
  private readonly site: StatementSite;

  constructor(
    private readonly enrollments: EnrollmentsService,
    private readonly assessment: AssessmentService,
    private readonly certificates: CertificatesService,
    private readonly courses: CoursesService,
    private readonly quizzes: QuizzesService,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.site = { baseUrl: config.baseUrl, platform: config.issuerName };
  }

  onModuleInit(): void {
    if (!this.config.xapi) return;
    this.enrollments.onEnrolled((manager, enrollment) => this.registered(manager, enrollment));
    this.enrollments.onLessonVisited((manager, enrollment, visit, at) =>
      this.experienced(manager, enrollment, visit, at),
    );
    this.assessment.onAttempt((manager, event, attempt) => this.attempt(manager, event, attempt));
    this.enrollments.onCourseCompleted((manager, enrollment) => this.completed(manager, enrollment));
    this.certificates.onCertificateChanged(async (manager, change) => {
      if (change.kind === 'issued') await this.earned(manager, change.certificateId);
    });
  }

  private async registered(manager: EntityManager, enrollment: Enrollment): Promise<void> {
    const course = await this.course(manager, enrollment.courseId);
    if (!course) return;
    await this.write(manager, {
      verb: 'registered',
      learner: await this.learner(manager, enrollment.userId),
      course,
      object: courseActivity(this.site, course),
      at: enrollment.createdAt,
    });
  }

  /** The page hands over the course and lesson it already has: a recorded visit costs one INSERT more, no reads. */
  private async experienced(
    manager: EntityManager,
    enrollment: Enrollment,
    { course, lesson }: LessonVisit,
    at: Date,
  ): Promise<void> {
    await this.write(manager, {
      verb: 'experienced',
      learner: await this.learner(manager, enrollment.userId),
      course,
      object: lessonActivity(this.site, course, lesson),
      parent: courseActivity(this.site, course),
      at,
    });
  }

  /** `attempted` when an attempt closes (dated when it started); `passed` or `failed` with the score once it is graded. */
  private async attempt(
    manager: EntityManager,
    event: 'closed' | 'graded',
    attempt: QuizAttempt,
  ): Promise<void> {
    const quiz = await this.quizzes.findQuizById(attempt.quizId, manager);
    const course = quiz && (await this.course(manager, quiz.courseId));
    if (!quiz || !course) return;
    const common = {
      learner: await this.learner(manager, attempt.userId),
      course,
      object: quizActivity(this.site, course, quiz),
      parent: courseActivity(this.site, course),
    };
    if (event === 'closed') {
      // One INSERT for the attempt and each question answered (the page's transaction already
      // writes a row per question).
      const at = attempt.closedAt ?? new Date();
      const answered = (await this.quizzes.gradedAnswers(manager, attempt)).filter(
        (answer) => answer.answered,
      );
      await this.write(
        manager,
        { ...common, verb: 'attempted', at: attempt.startedAt },
        ...answered.map((answer): Omit<StatementInput, 'site'> => ({
          ...common,
          verb: 'answered',
          object: questionActivity(common.object, course, {
            id: answer.question.id,
            type: answer.question.type,
            name: answer.question.name,
            text: answer.question.definition.text,
          }),
          parent: common.object,
          result:
            answer.status === null
              ? undefined
              : {
                  success: answer.status === 'correct',
                  ...(answer.scorePermille === null ? {} : { score: scoreOf(answer.scorePermille) }),
                },
          at,
        })),
      );
      return;
    }
    if (attempt.scorePermille === null || attempt.passed === null) return;
    await this.write(manager, {
      ...common,
      verb: attempt.passed ? 'passed' : 'failed',
      result: { score: scoreOf(attempt.scorePermille), success: attempt.passed, completion: true },
      at: new Date(),
    });
  }

  private async completed(manager: EntityManager, enrollment: Enrollment): Promise<void> {
    const course = await this.course(manager, enrollment.courseId);
    if (!course) return;
    await this.write(manager, {
      verb: 'completed',
      learner: await this.learner(manager, enrollment.userId),
      course,
      object: courseActivity(this.site, course),
      result: { success: true, completion: true },
      at: enrollment.completedAt ?? new Date(),
    });
  }

  private async earned(manager: EntityManager, certificateId: number): Promise<void> {
    const certificate = await this.certificates.findById(certificateId, manager);
    const course = certificate && (await this.course(manager, certificate.courseId));
    if (!certificate || !course) return;
    await this.write(manager, {
      verb: 'earned',
      learner: await this.learner(manager, certificate.userId),
      course,
      object: certificateActivity(this.site, course, certificate.serial),
      parent: courseActivity(this.site, course),
      at: certificate.issuedAt ?? new Date(),
    });
  }

  private course(manager: EntityManager, courseId: number): Promise<CourseFacts | null> {
    return this.courses.findCourseById(courseId, manager);
  }

  /** The learner's e-mail is read only when the site sends it (XAPI_ACTOR_MBOX). */
  private async learner(manager: EntityManager, userId: number): Promise<Learner> {
    if (!this.config.xapi?.actorMbox) return { id: userId };
    const user = await this.users.findById(userId, manager);
    return { id: userId, email: user?.email };
  }

  private async write(manager: EntityManager, ...inputs: Omit<StatementInput, 'site'>[]): Promise<void> {
    const now = new Date();
    const rows = inputs.map((input) => {
      const statement = buildStatement({ ...input, site: this.site });
      return {
        statementId: statement.id,
        verb: input.verb,
        statement: JSON.stringify(statement),
        state: 'pending' as const,
        attempts: 0,
        nextAttemptAt: now,
        queuedAt: null,
        deliveredAt: null,
        lastError: null,
        createdAt: now,
      };
    });
    // updateEntity(false): nothing to read back (TypeORM would SELECT the generated columns on SQLite).
    await manager.createQueryBuilder().insert().into(XapiOutbox).updateEntity(false).values(rows).execute();
  }
}
