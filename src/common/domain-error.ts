export enum ErrorCode {
  NotFound = 'not_found',
  Forbidden = 'forbidden',
  Unauthenticated = 'unauthenticated',
  Invalid = 'invalid',
  Conflict = 'conflict',
  Throttled = 'throttled',
}

/**
 * A failure the user can act on. `messageKey` is a translation key; services never
 * build user-facing text themselves. The exception filter maps the code to HTTP.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly messageKey: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(messageKey);
  }
}

export class NotFoundError extends DomainError {
  constructor(messageKey = 'errors.not_found') {
    super(ErrorCode.NotFound, messageKey);
  }
}

export class ForbiddenError extends DomainError {
  constructor(messageKey = 'errors.forbidden') {
    super(ErrorCode.Forbidden, messageKey);
  }
}

/** Field-level problems of a submitted form: keys are field names, values translation keys. */
export class FormInvalidError extends DomainError {
  constructor(readonly fields: Record<string, string>) {
    super(ErrorCode.Invalid, 'errors.form_invalid');
  }
}

/**
 * The thing changed since the user loaded it (optimistic locking): their edit was not applied.
 * Whoever catches it shows what changed and keeps what the user typed.
 */
export class ConflictError extends DomainError {
  constructor(messageKey: string, params: Record<string, string | number> = {}) {
    super(ErrorCode.Conflict, messageKey, params);
  }
}
