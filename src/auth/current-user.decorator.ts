import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '../common/domain-error';
import type { User } from '../users/user.entity';

/**
 * The signed-in user of the request. Meant for routes under @RequireRole, where the RolesGuard has
 * already refused anyone signed out; if it is ever used elsewhere it fails closed the same way.
 */
export function signedInUser(context: ExecutionContext): User {
  const user = context.switchToHttp().getRequest<Request>().user as User | undefined;
  if (!user) throw new DomainError(ErrorCode.Unauthenticated, 'errors.sign_in_required');
  return user;
}

/** `@CurrentUser() user: User` in a handler, instead of `req.user as User`. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext) => signedInUser(context));
