import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { FormInvalidError, NotFoundError } from '../common/domain-error';
import { containsPattern, LIKE_ESCAPE } from '../common/like';
import { SharedCacheService } from '../cache/shared-cache.service';
import { TransactionRunner } from '../database/transaction-runner';
import { hashPassword, passwordProblem, verifyPassword } from './password-hasher';
import { Locale, LOCALES, Role, ROLES, User } from './user.entity';

export interface RegistrationInput {
  name: string;
  email: string;
  password: string;
  locale: string;
}

export interface ProfileInput {
  name: string;
  certificateName: string;
  locale: string;
  /** Videos start as audio only; absent (an older form) leaves the setting as it is. */
  dataSaver?: boolean;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function checkName(name: string, field: string, errors: Record<string, string>, required = true) {
  const trimmed = name.trim();
  if (!trimmed && required) errors[field] = 'validation.required';
  else if (trimmed.length > 120) errors[field] = 'validation.too_long';
}

function checkLocale(locale: string, errors: Record<string, string>) {
  if (!(LOCALES as readonly string[]).includes(locale)) errors.locale = 'validation.choose_option';
}

@Injectable()
export class UsersService {
  private readonly users: Repository<User>;

  /** Signed-in accounts by id: every page of a signed-in user needs one, and they rarely change. */
  private readonly signedIn;

  constructor(
    dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly cache: SharedCacheService,
  ) {
    this.users = dataSource.getRepository(User);
    this.signedIn = cache.create<User | null>('users', { ttlMs: 60_000, maxEntries: 50_000 });
  }

  /**
   * The account behind a session. Cached, and cleared in every process by any change to an
   * account, so a new role or a new language applies on the next request.
   */
  findSignedInUser(id: number): Promise<User | null> {
    return this.signedIn.get(String(id), () => this.findById(id));
  }

  findById(id: number, manager: EntityManager = this.users.manager): Promise<User | null> {
    return manager.getRepository(User).findOneBy({ id });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: normalizeEmail(email) });
  }

  /** Many accounts at once (report lists, exports), a thousand ids per query. */
  async findByIds(ids: number[]): Promise<User[]> {
    const unique = [...new Set(ids)];
    const users: User[] = [];
    for (let i = 0; i < unique.length; i += 1000) users.push(...(await this.users.findBy({ id: In(unique.slice(i, i + 1000)) })));
    return users;
  }

  findByEmails(emails: string[], manager: EntityManager = this.users.manager): Promise<User[]> {
    const normalized = [...new Set(emails.map(normalizeEmail))];
    return normalized.length ? manager.getRepository(User).findBy({ email: In(normalized) }) : Promise.resolve([]);
  }

  /** Whether the email could be used for a new account (the same rule as the sign-up form). */
  isValidEmail(email: string): boolean {
    const normalized = normalizeEmail(email);
    return EMAIL_PATTERN.test(normalized) && normalized.length <= 191;
  }

  /**
   * An account made for someone else (bulk enrolment) inside the caller's transaction. It has
   * no usable password until its owner sets one through an invitation link.
   */
  async createInvited(manager: EntityManager, input: { name: string; email: string; locale: Locale }): Promise<User> {
    const now = new Date();
    const repository = manager.getRepository(User);
    return repository.save(
      repository.create({
        email: normalizeEmail(input.email),
        name: input.name.trim(),
        certificateName: null,
        locale: input.locale,
        // Not a scrypt hash, so verifyPassword never matches it.
        passwordHash: `invited$${randomBytes(16).toString('hex')}`,
        role: 'learner',
        createdAt: now,
        updatedAt: now,
      }),
    );
  }

  /** Sets a password without the current one: only for a holder of a valid invitation link. */
  async setPassword(userId: number, password: string): Promise<User> {
    const user = await this.getById(userId);
    const weakness = passwordProblem(password ?? '', user.email);
    if (weakness) throw new FormInvalidError({ password: weakness });
    const passwordHash = await hashPassword(password);
    await this.transactions.run(async (manager) => {
      await manager.getRepository(User).update({ id: userId }, { passwordHash, updatedAt: new Date() });
      this.cache.changed('users', manager);
    });
    return { ...user, passwordHash };
  }

  async getById(id: number): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw new NotFoundError();
    return user;
  }

  /** Validates a sign-up form and creates a learner; every problem is reported at once. */
  async register(input: RegistrationInput, role: Role = 'learner'): Promise<User> {
    const errors: Record<string, string> = {};
    const email = normalizeEmail(input.email ?? '');
    checkName(input.name ?? '', 'name', errors);
    if (!EMAIL_PATTERN.test(email) || email.length > 191) errors.email = 'validation.email_invalid';
    checkLocale(input.locale, errors);
    const weakness = passwordProblem(input.password ?? '', email);
    if (weakness) errors.password = weakness;
    if (!errors.email && (await this.findByEmail(email))) errors.email = 'validation.email_taken';
    if (Object.keys(errors).length > 0) throw new FormInvalidError(errors);

    const passwordHash = await hashPassword(input.password);
    const now = new Date();
    try {
      return await this.transactions.run((manager) =>
        manager.getRepository(User).save(
          manager.getRepository(User).create({
            email,
            name: input.name.trim(),
            certificateName: null,
            locale: input.locale as Locale,
            passwordHash,
            role,
            createdAt: now,
            updatedAt: now,
          }),
        ),
      );
    } catch (error) {
      // Two sign-ups with one address at the same moment: the unique index decides.
      if (await this.findByEmail(email)) throw new FormInvalidError({ email: 'validation.email_taken' });
      throw error;
    }
  }

  /** Returns the user when the password matches; callers give the same answer for both failures. */
  async checkCredentials(email: string, password: string): Promise<User | null> {
    const user = await this.findByEmail(email);
    if (!user) return null;
    return (await verifyPassword(password, user.passwordHash)) ? user : null;
  }

  async updateProfile(userId: number, input: ProfileInput): Promise<User> {
    const errors: Record<string, string> = {};
    checkName(input.name ?? '', 'name', errors);
    checkName(input.certificateName ?? '', 'certificateName', errors, false);
    checkLocale(input.locale, errors);
    if (Object.keys(errors).length > 0) throw new FormInvalidError(errors);
    return this.transactions.run(async (manager) => {
      const repository = manager.getRepository(User);
      const user = await repository.findOneByOrFail({ id: userId });
      user.name = input.name.trim();
      user.certificateName = input.certificateName.trim() || null;
      user.locale = input.locale as Locale;
      if (input.dataSaver !== undefined) user.dataSaver = input.dataSaver;
      user.updatedAt = new Date();
      this.cache.changed('users', manager);
      return repository.save(user);
    });
  }

  async setLocale(userId: number, locale: Locale): Promise<void> {
    await this.transactions.run(async (manager) => {
      await manager.getRepository(User).update({ id: userId }, { locale, updatedAt: new Date() });
      this.cache.changed('users', manager);
    });
  }

  async changePassword(userId: number, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.getById(userId);
    const errors: Record<string, string> = {};
    if (!(await verifyPassword(currentPassword ?? '', user.passwordHash))) errors.currentPassword = 'validation.password_wrong';
    const weakness = passwordProblem(newPassword ?? '', user.email);
    if (weakness) errors.newPassword = weakness;
    if (Object.keys(errors).length > 0) throw new FormInvalidError(errors);
    const passwordHash = await hashPassword(newPassword);
    await this.transactions.run(async (manager) => {
      await manager.getRepository(User).update({ id: userId }, { passwordHash, updatedAt: new Date() });
      this.cache.changed('users', manager);
    });
  }

  async search(query: string, page: number, pageSize = 50): Promise<{ users: User[]; total: number }> {
    const term = query.trim();
    const search = this.users.createQueryBuilder('user');
    if (term) {
      search.where(`user.email LIKE :email ${LIKE_ESCAPE}`, { email: containsPattern(term.toLowerCase()) });
      search.orWhere(`user.name LIKE :name ${LIKE_ESCAPE}`, { name: containsPattern(term) });
    }
    const [users, total] = await search
      .orderBy('user.createdAt', 'DESC')
      .addOrderBy('user.id', 'DESC')
      .skip((Math.max(page, 1) - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { users, total };
  }


  async setRole(userId: number, role: string): Promise<User> {
    if (!(ROLES as readonly string[]).includes(role)) throw new FormInvalidError({ role: 'validation.choose_option' });
    return this.transactions.run(async (manager) => {
      const repository = manager.getRepository(User);
      const user = await repository.findOneBy({ id: userId });
      if (!user) throw new NotFoundError();
      if (user.role === 'admin' && role !== 'admin' && (await repository.countBy({ role: 'admin' })) <= 1) {
        throw new FormInvalidError({ role: 'validation.last_admin' });
      }
      user.role = role as Role;
      user.updatedAt = new Date();
      this.cache.changed('users', manager);
      return repository.save(user);
    });
  }

  countByRole(role: Role): Promise<number> {
    return this.users.countBy({ role });
  }
}
