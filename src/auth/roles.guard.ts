import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError, ErrorCode, ForbiddenError } from '../common/domain-error';
import type { User } from '../users/user.entity';
import { Access, ACCESS_KEY } from './roles.decorator';

/**
 * Global guard: secure by default. A route must declare who may use it; one that does not is
 * refused, so a forgotten decorator fails closed.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    if (!access) throw new ForbiddenError();
    if (access.kind === 'public') return true;
    const user = context.switchToHttp().getRequest<Request>().user as User | undefined;
    if (!user) throw new DomainError(ErrorCode.Unauthenticated, 'errors.sign_in_required');
    if (access.roles.length === 0 || user.role === 'admin' || access.roles.includes(user.role)) return true;
    throw new ForbiddenError();
  }
}
