import { ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '../common/domain-error';
import type { User } from '../users/user.entity';
import { CurrentUser, signedInUser } from './current-user.decorator';

const contextWith = (user: unknown): ExecutionContext =>
  ({ switchToHttp: () => ({ getRequest: () => ({ user }) as unknown as Request }) }) as unknown as ExecutionContext;

/** The factory Nest calls for the first argument of a handler decorated with @CurrentUser(). */
function factoryOf(): (data: unknown, context: ExecutionContext) => unknown {
  class Probe {
    handler(@CurrentUser() _user: User) {}
  }
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Probe, 'handler') as Record<
    string,
    { factory: (data: unknown, context: ExecutionContext) => unknown }
  >;
  return Object.values(args)[0].factory;
}

describe('CurrentUser', () => {
  const trainer = { id: 7, role: 'trainer', email: 't@example.test' } as User;

  it('gives a handler the signed-in user of the request', () => {
    expect(factoryOf()(undefined, contextWith(trainer))).toBe(trainer);
    expect(signedInUser(contextWith(trainer)).id).toBe(7);
  });

  it('refuses a request without a signed-in user, as the roles guard does', () => {
    let thrown: unknown;
    try {
      factoryOf()(undefined, contextWith(undefined));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe(ErrorCode.Unauthenticated);
  });
});
