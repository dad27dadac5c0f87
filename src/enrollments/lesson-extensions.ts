import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/domain-error';
import type { Course } from '../courses/course.entity';
import type { LessonOutline } from '../courses/courses.service';
import type { User } from '../users/user.entity';
import type { Enrollment } from './enrollment.entity';

export interface LessonPageContext {
  course: Course;
  lesson: LessonOutline;
  user: User;
  enrollment: Enrollment;
}

/** The lesson cannot be marked complete yet (e.g. not enough of its video watched): 409 for scripts, the lesson again for forms. */
export class LessonNotReadyError extends DomainError {
  constructor(messageKey: string) {
    super(ErrorCode.Conflict, messageKey);
  }
}

/**
 * What a higher module adds to a lesson (a video, its watch rule). Enrollments never imports
 * those modules: they register here at start-up, as with EnrollmentsService's listeners.
 */
export interface LessonExtension {
  /** More data for the lesson page; must cost no query once warm (the page's budget is 1). */
  lessonPage(context: LessonPageContext): Promise<Record<string, unknown>>;
  /** Throws LessonNotReadyError when the learner may not mark the lesson complete yet. */
  beforeComplete(enrollment: Enrollment, lesson: Pick<LessonOutline, 'id' | 'courseId'>): Promise<void>;
}

@Injectable()
export class LessonExtensions {
  private readonly extensions: LessonExtension[] = [];

  register(extension: LessonExtension): void {
    this.extensions.push(extension);
  }

  async lessonPage(context: LessonPageContext): Promise<Record<string, unknown>> {
    const parts = await Promise.all(this.extensions.map((extension) => extension.lessonPage(context)));
    return Object.assign({}, ...parts);
  }

  async beforeComplete(enrollment: Enrollment, lesson: Pick<LessonOutline, 'id' | 'courseId'>): Promise<void> {
    for (const extension of this.extensions) await extension.beforeComplete(enrollment, lesson);
  }
}
