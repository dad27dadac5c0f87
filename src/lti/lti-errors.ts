import { DomainError, ErrorCode } from '../common/domain-error';

/**
 * A login or launch we refuse. The page says only that the launch was refused (the details
 * would help an attacker more than a learner); `reason` goes to the log for the administrator.
 */
export class LtiLaunchError extends DomainError {
  constructor(readonly reason: string) {
    // 403, not 401: a 401 on a GET would send the browser to our sign-in page, which cannot help.
    super(ErrorCode.Forbidden, 'lti.errors.launch_refused');
  }
}

/** A valid launch that names no course we can open (no custom course, unknown or unpublished slug). */
export class LtiCourseNotFoundError extends DomainError {
  constructor() {
    super(ErrorCode.NotFound, 'lti.errors.course_not_found');
  }
}
