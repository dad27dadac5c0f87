import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
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

/** Global guard: every state-changing request must carry the session's token. */
@Injectable()
export class CsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method)) return true;
    if (!csrfTokenMatches(req, csrf.getTokenFromRequest(req))) {
      throw new DomainError(ErrorCode.Forbidden, 'errors.csrf');
    }
    return true;
  }
}
