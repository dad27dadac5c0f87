import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, FormInvalidError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { I18nService } from '../i18n/i18n.service';
import { MailService } from '../mail/mail.service';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../users/password-hasher';
import { User } from '../users/user.entity';
import { RegistrationInput, UsersService } from '../users/users.service';
import { accountKey, ACCOUNT_POLICY, addressKey, ADDRESS_POLICY, LoginThrottleService, pairKey, PAIR_POLICY } from './login-throttle.service';

export class LoginThrottledError extends DomainError {
  constructor(readonly until: Date) {
    super(ErrorCode.Throttled, 'auth.login_throttled');
  }
}

/** How long a mailed unlock link works after the lock it answers began. */
const UNLOCK_LINK_MS = 24 * 60 * 60 * 1000;

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly throttle: LoginThrottleService,
    private readonly mail: MailService,
    private readonly i18n: I18nService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Checks a login attempt. Wrong email and wrong password give the same null answer and take
   * the same time. Failures lock the account for the address they came from (not for its owner
   * elsewhere), lock an address that tries too much, and past a ceiling no single address can
   * reach, lock the account for every address its owner has not signed in from.
   */
  async authenticate(email: string, password: string, address: string): Promise<User | null> {
    const pair = pairKey(email, address);
    const until = (await this.throttle.lockedUntil([pair, addressKey(address)])) ?? (await this.accountLockFor(email, address));
    if (until) throw new LoginThrottledError(until);

    const user = await this.users.findByEmail(email);
    const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyPasswordHash()));
    if (user && matches) {
      await this.throttle.reset(pair);
      await this.throttle.rememberAddress(email, address);
      return user;
    }
    await this.throttle.recordFailure(pair, PAIR_POLICY);
    await this.throttle.recordFailure(addressKey(address), ADDRESS_POLICY);
    const failures = await this.throttle.recordFailure(accountKey(email), ACCOUNT_POLICY);
    // Not awaited: the answer takes the same time whether or not a mail goes out.
    if (user && failures === ACCOUNT_POLICY.maxFailures) void this.mailUnlockLink(user);
    return null;
  }

  /**
   * Signs a visitor up. Without SMTP the new account is signed in at once, and an address that
   * has an account is refused by the form: there is no other way to tell the person. With SMTP
   * the answer is the same whether or not the address had an account ("check your email", same
   * time taken), and the mail says which: a welcome to the new owner, a reminder to the old one.
   */
  async register(input: RegistrationInput): Promise<{ user: User } | { checkEmail: string }> {
    if (!this.mail.enabled) return { user: await this.users.register(input) };
    try {
      const user = await this.users.register(input);
      void this.mailOwner(user, 'welcome_mail');
      return { checkEmail: user.email };
    } catch (error) {
      if (!(error instanceof FormInvalidError) || error.fields.email !== 'validation.email_taken') throw error;
      const others = Object.fromEntries(Object.entries(error.fields).filter(([field]) => field !== 'email'));
      if (Object.keys(others).length > 0) throw new FormInvalidError(others);
      // A new account costs one password hash: so does this answer.
      await hashPassword(input.password);
      const owner = (await this.users.findByEmail(input.email)) as User;
      void this.mailOwner(owner, 'exists_mail');
      return { checkEmail: owner.email };
    }
  }

  private async mailOwner(user: User, mail: 'welcome_mail' | 'exists_mail'): Promise<void> {
    const t = (key: string) => this.i18n.translate(user.locale, `auth.${mail}.${key}`, { name: user.name });
    const text = [t('greeting'), '', t('body'), `${this.config.baseUrl}/login`, '', t('signature')].join('\n');
    await this.mail.send({ to: user.email, subject: t('subject'), text }, `the ${mail.replace('_', ' ')} to user ${user.id}`);
  }

  private async accountLockFor(email: string, address: string): Promise<Date | null> {
    const until = await this.throttle.lockedUntil([accountKey(email)]);
    return until && !(await this.throttle.isKnownAddress(email, address)) ? until : null;
  }

  /** Lifts every sign-in lock on a user's account (an administrator's action). */
  async unlock(userId: number): Promise<User | null> {
    const user = await this.users.findById(userId);
    if (user) await this.throttle.unlockAccount(user.email);
    return user;
  }

  /**
   * The owner's way past the account-wide lock: a link bound to that lock (its window's start),
   * so it works once: using it lifts the lock, and the lock it named is gone.
   */
  private async mailUnlockLink(user: User): Promise<void> {
    if (!this.mail.enabled) return;
    const row = await this.throttle.findRow(accountKey(user.email));
    if (!row) return;
    const token = `${user.id}.${row.windowStartedAt.getTime()}.${this.sign(user.id, row.windowStartedAt.getTime())}`;
    const t = (key: string) => this.i18n.translate(user.locale, `auth.unlock_mail.${key}`, { name: user.name });
    const text = [t('greeting'), '', t('body'), `${this.config.baseUrl}/login/unlock/${token}`, '', t('not_you'), '', t('signature')].join('\n');
    await this.mail.send({ to: user.email, subject: t('subject'), text }, `the unlock link to user ${user.id}`);
  }

  /** Uses a mailed unlock link: lifts the account's locks and trusts the address that used it. */
  async redeemUnlockLink(token: string, address: string, now = new Date()): Promise<User | null> {
    const user = await this.checkUnlockLink(token, now);
    if (!user) return null;
    await this.throttle.unlockAccount(user.email);
    await this.throttle.rememberAddress(user.email, address, now);
    return user;
  }

  async checkUnlockLink(token: string, now = new Date()): Promise<User | null> {
    const [id, started, signature] = String(token ?? '').split('.');
    const userId = Number(id);
    const startedAt = Number(started);
    if (!Number.isSafeInteger(userId) || !Number.isSafeInteger(startedAt) || !signature) return null;
    const expected = Buffer.from(this.sign(userId, startedAt));
    if (expected.length !== Buffer.byteLength(signature) || !timingSafeEqual(expected, Buffer.from(signature))) return null;
    if (now.getTime() - startedAt > UNLOCK_LINK_MS) return null;
    const user = await this.users.findById(userId);
    const row = user && (await this.throttle.findRow(accountKey(user.email)));
    return row && row.windowStartedAt.getTime() === startedAt ? user : null;
  }

  private sign(userId: number, startedAt: number): string {
    return createHmac('sha256', this.config.sessionSecret).update(`unlock:${userId}:${startedAt}`).digest('base64url');
  }
}
