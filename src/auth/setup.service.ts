import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ForbiddenError } from '../common/domain-error';
import { AppSettingsService } from '../database/app-settings.service';
import { User } from '../users/user.entity';
import { RegistrationInput, UsersService } from '../users/users.service';

const TOKEN_SETTING = 'admin_setup_token_sha256';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** The first admin: while none exists, a one-time link printed at start-up lets its holder create one. */
@Injectable()
export class SetupService {
  private readonly logger = new Logger('Setup');

  constructor(
    private readonly users: UsersService,
    private readonly settings: AppSettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async needsAdmin(): Promise<boolean> {
    return (await this.users.countByRole('admin')) === 0;
  }

  /** Issues a fresh token (the previous one stops working) and prints the link. */
  async announceSetupLinkIfNeeded(): Promise<string | null> {
    if (!(await this.needsAdmin())) return null;
    const token = randomBytes(24).toString('base64url');
    await this.settings.set(TOKEN_SETTING, sha256(token));
    const link = `${this.config.baseUrl}/setup?token=${token}`;
    this.logger.warn(`No admin account yet. Create one (this link works once): ${link}`);
    return link;
  }

  async isValidToken(token: unknown): Promise<boolean> {
    if (typeof token !== 'string' || !token || !(await this.needsAdmin())) return false;
    const stored = await this.settings.get(TOKEN_SETTING);
    if (!stored) return false;
    const given = Buffer.from(sha256(token));
    return timingSafeEqual(given, Buffer.from(stored));
  }

  async createFirstAdmin(token: unknown, input: RegistrationInput): Promise<User> {
    if (!(await this.isValidToken(token))) throw new ForbiddenError('setup.link_invalid');
    const admin = await this.users.register(input, 'admin');
    await this.settings.delete(TOKEN_SETTING);
    return admin;
  }
}
