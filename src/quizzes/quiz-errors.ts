import { DomainError, ErrorCode } from '../common/domain-error';

export class NoAttemptsLeftError extends DomainError {
  constructor() {
    super(ErrorCode.Conflict, 'quizzes.no_attempts_left');
  }
}

export class AttemptClosedError extends DomainError {
  constructor() {
    super(ErrorCode.Conflict, 'quizzes.attempt_closed');
  }
}

export class QuestionNotInAttemptError extends DomainError {
  constructor() {
    super(ErrorCode.Invalid, 'quizzes.question_not_in_attempt');
  }
}

export class InvalidAnswerError extends DomainError {
  constructor(readonly detail: string) {
    super(ErrorCode.Invalid, 'quizzes.answer_invalid');
  }
}
