import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';

/**
 * Runs the local strategy but never rejects by itself: the login controller re-renders the
 * form with a message (wrong credentials) or lets the domain error through (throttled).
 * It does not log in either; the controller does, after the session is regenerated.
 */
@Injectable()
export class LocalLoginGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    await super.canActivate(context);
    return true;
  }

  override handleRequest<TUser>(error: unknown, user: TUser): TUser {
    if (error) throw error;
    return (user || undefined) as TUser;
  }
}
