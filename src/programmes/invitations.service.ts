import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ForbiddenError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import { I18nService } from '../i18n/i18n.service';
import { MailService } from '../mail/mail.service';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { AccountInvitation } from './entities/account-invitation.entity';

const LINK_VALID_DAYS = 14;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export interface InvitationLink {
  user: User;
  url: string;
  expiresAt: Date;
}

/**
 * Set-password links for accounts made by bulk enrolment. The token is shown once (mailed, or
 * in the manager's CSV); only its hash is stored, and a new link replaces the previous one.
 */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly users: UsersService,
    private readonly i18n: I18nService,
    private readonly mail: MailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get mailEnabled(): boolean {
    return this.mail.enabled;
  }

  /** Marks a new account as waiting for its owner, inside the transaction that created it. */
  async createWithin(manager: EntityManager, userId: number): Promise<void> {
    await manager.createQueryBuilder().insert().into(AccountInvitation).values({ userId, tokenHash: null, expiresAt: null, createdAt: new Date(), acceptedAt: null }).orIgnore().execute();
  }

  /** Of these accounts, the ones whose owner has not set a password yet. */
  async pending(userIds: number[]): Promise<Set<number>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.dataSource.getRepository(AccountInvitation).findBy({ userId: In(userIds), acceptedAt: IsNull() });
    return new Set(rows.map((row) => row.userId));
  }

  /** Fresh links for the pending accounts among these (earlier links stop working). */
  async issueLinks(userIds: number[]): Promise<InvitationLink[]> {
    const users = await this.users.findByIds([...(await this.pending(userIds))]);
    const links: InvitationLink[] = [];
    const expiresAt = new Date(Date.now() + LINK_VALID_DAYS * 86_400_000);
    await this.transactions.run(async (manager) => {
      for (const user of users) {
        const token = randomBytes(24).toString('base64url');
        await manager.getRepository(AccountInvitation).update({ userId: user.id, acceptedAt: IsNull() }, { tokenHash: sha256(token), expiresAt });
        links.push({ user, url: `${this.config.baseUrl}/set-password/${token}`, expiresAt });
      }
    });
    return links.sort((a, b) => a.user.name.localeCompare(b.user.name));
  }

  /** Mails each new account its link when SMTP is set up; returns how many were sent. */
  async mailLinks(userIds: number[], programmeName: string): Promise<number> {
    if (!this.mail.enabled) return 0;
    let sent = 0;
    for (const link of await this.issueLinks(userIds)) {
      const t = (key: string) =>
        this.i18n.translate(link.user.locale, `set_password.mail.${key}`, { name: link.user.name, programme: programmeName, days: LINK_VALID_DAYS });
      const text = [t('greeting'), '', t('body'), link.url, '', t('expires'), '', t('signature')].join('\n');
      if (await this.mail.send({ to: link.user.email, subject: t('subject'), text }, `the set-password link to user ${link.user.id}`)) sent += 1;
    }
    return sent;
  }

  /** The account behind a link that can still be used, or null. */
  async findUsable(token: string): Promise<User | null> {
    if (typeof token !== 'string' || token.length < 20) return null;
    const invitation = await this.dataSource.getRepository(AccountInvitation).findOneBy({ tokenHash: sha256(token), acceptedAt: IsNull() });
    if (!invitation?.expiresAt || invitation.expiresAt.getTime() < Date.now()) return null;
    return this.users.findById(invitation.userId);
  }

  /** Sets the password once; the link is spent. */
  async accept(token: string, password: string): Promise<User> {
    const user = await this.findUsable(token);
    if (!user) throw new ForbiddenError('set_password.link_invalid');
    const updated = await this.users.setPassword(user.id, password);
    await this.transactions.run((manager) =>
      manager.getRepository(AccountInvitation).update({ userId: user.id }, { acceptedAt: new Date(), tokenHash: null, expiresAt: null }),
    );
    return updated;
  }
}
