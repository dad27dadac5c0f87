import { DomainError, ErrorCode, NotFoundError } from '../common/domain-error';

export class CertificateNotFoundError extends NotFoundError {
  constructor() {
    super('certificates.errors.not_found');
  }
}

/** The action does not fit the certificate's state (e.g. retrying one that was issued). */
export class CertificateStateError extends DomainError {
  constructor(messageKey = 'certificates.errors.wrong_state') {
    super(ErrorCode.Conflict, messageKey);
  }
}
