import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { csrfSync } from 'csrf-sync';
import { DomainError, ErrorCode } from '../common/domain-error';

// Synchronizer tokens kept in the server-side session; forms send `_csrf`, scripts `x-csrf-token`.
const csrf = csrfSync({
  getTokenFromRequest: (req: Request) =>
    ((req.body as Record<string, unknown> | undefined)?._csrf as string | undefined) ??
    (req.headers['x-csrf-token'] as string | undefined),
});

export function csrfToken(req: Request): string {
  return csrf.generateToken(req);
}

/** True when `given` is the session's token (for callers outside Nest's guards, e.g. the queue dashboard). */
export function csrfTokenMatches(req: Request, given: unknown): boolean {
  const expected = req.session ? csrf.getTokenFromState(req) : undefined;
  return !!expected && typeof given === 'string' && given === expected;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SKIP_CSRF_KEY = 'exportready:skip-csrf';

/**
 * For cross-site posts that carry no session and are authenticated another way, by a signed
 * token the handler verifies (the LTI launch: the platform's id_token). Added for src/lti.
 */
export const SkipCsrf = () => SetMetadata(SKIP_CSRF_KEY, true);

/** Global guard: every state-changing request must carry the session's token. */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method)) return true;
    if (this.reflector.get<boolean | undefined>(SKIP_CSRF_KEY, context.getHandler())) return true;
    if (!csrfTokenMatches(req, csrf.getTokenFromRequest(req))) {
      throw new DomainError(ErrorCode.Forbidden, 'errors.csrf');
    }
    return true;
  }
}
