import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import { LoginThrottle } from './login-throttle.entity';

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

const WINDOW = 15 * 60 * 1000;
export const ACCOUNT_POLICY: ThrottlePolicy = { maxFailures: 5, windowMs: WINDOW, lockMs: WINDOW };
export const ADDRESS_POLICY: ThrottlePolicy = { maxFailures: 20, windowMs: WINDOW, lockMs: WINDOW };

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`.slice(0, 191);
export const addressKey = (ip: string) => `ip:${ip}`.slice(0, 191);

/** Counts failed logins per account and per client address in the database (shared by all instances). */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  /** The time until which any of the keys is locked, or null when a login may be tried. */
  async lockedUntil(keys: string[], now = new Date()): Promise<Date | null> {
    const rows = await this.dataSource.getRepository(LoginThrottle).findBy(keys.map((key) => ({ key })));
    const locks = rows.map((row) => row.lockedUntil).filter((until): until is Date => !!until && until > now);
    return locks.length ? new Date(Math.max(...locks.map((d) => d.getTime()))) : null;
  }

  async recordFailure(key: string, policy: ThrottlePolicy, now = new Date()): Promise<void> {
    await this.transactions.run(async (manager) => {
      const repository = manager.getRepository(LoginThrottle);
      const row = await repository.findOne({ where: { key }, lock: this.transactions.isSqlite ? undefined : { mode: 'pessimistic_write' } });
      const windowOpen = row && now.getTime() - row.windowStartedAt.getTime() < policy.windowMs;
      const failures = windowOpen ? row.failures + 1 : 1;
      await repository.save({
        key,
        failures,
        windowStartedAt: windowOpen ? row.windowStartedAt : now,
        lockedUntil: failures >= policy.maxFailures ? new Date(now.getTime() + policy.lockMs) : (row?.lockedUntil ?? null),
      });
    });
  }

  async reset(key: string): Promise<void> {
    await this.transactions.run((manager) => manager.getRepository(LoginThrottle).delete({ key }));
  }
}
