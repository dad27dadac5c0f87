import { ConflictError, DomainError, ErrorCode } from '../common/domain-error';

/** The lesson was saved by someone else after this form was opened: nothing was overwritten. */
export class LessonChangedError extends ConflictError {
  constructor() {
    super('author.lesson_changed');
  }
}

/** The lesson was deleted after this form was opened. */
export class LessonGoneError extends ConflictError {
  constructor() {
    super('author.lesson_gone');
  }
}

/** The quiz (its settings or its questions) changed after this form was opened. */
export class QuizChangedError extends ConflictError {
  constructor() {
    super('author.quiz_changed');
  }
}

/** The course settings changed after this form was opened. */
export class SettingsChangedError extends ConflictError {
  constructor() {
    super('author.settings_changed');
  }
}

/** The draft kept changing under a save (many people saving at once); the save was not applied. */
export class DraftBusyError extends ConflictError {
  constructor() {
    super('author.draft_busy');
  }
}

/** Only the course's owner (or an administrator) may do this. */
export class NotCourseOwnerError extends DomainError {
  constructor() {
    super(ErrorCode.Forbidden, 'author.owner_only');
  }
}
