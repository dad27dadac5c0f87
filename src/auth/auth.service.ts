import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/domain-error';
import { decoyPasswordHash, verifyPassword } from '../users/password-hasher';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { accountKey, ACCOUNT_POLICY, addressKey, ADDRESS_POLICY, LoginThrottleService } from './login-throttle.service';

export class LoginThrottledError extends DomainError {
  constructor(readonly until: Date) {
    super(ErrorCode.Throttled, 'auth.login_throttled');
  }
}

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly throttle: LoginThrottleService,
  ) {}

  /**
   * Checks a login attempt. Wrong email and wrong password give the same null answer and take
   * the same time; repeated failures lock the account and the address for a while.
   */
  async authenticate(email: string, password: string, address: string): Promise<User | null> {
    const keys = [accountKey(email), addressKey(address)];
    const until = await this.throttle.lockedUntil(keys);
    if (until) throw new LoginThrottledError(until);

    const user = await this.users.findByEmail(email);
    const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyPasswordHash()));
    if (user && matches) {
      await this.throttle.reset(keys[0]);
      return user;
    }
    await this.throttle.recordFailure(keys[0], ACCOUNT_POLICY);
    await this.throttle.recordFailure(keys[1], ADDRESS_POLICY);
    return null;
  }
}
