import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, Like } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import { LoginThrottle } from './login-throttle.entity';

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

const MINUTE = 60 * 1000;
/** One account tried from one address: the usual "five wrong passwords" lock, for that pair only. */
export const PAIR_POLICY: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE };
/** One address, whatever the accounts: it cannot go on trying (or locking) accounts after 20 failures. */
export const ADDRESS_POLICY: ThrottlePolicy = { maxFailures: 20, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE };
/**
 * One account from every address: a ceiling only a distributed attack reaches (one address
 * stops at 80 an hour). It locks the account for addresses its owner has never signed in from;
 * the owner's known addresses still get in.
 */
export const ACCOUNT_POLICY: ThrottlePolicy = { maxFailures: 100, windowMs: 60 * MINUTE, lockMs: 15 * MINUTE };
/** How long an address the owner signed in from stays "known" to the account. */
export const KNOWN_ADDRESS_MS = 90 * 24 * 60 * MINUTE;

/** Keys are hashed by account so every row of an account shares a prefix without any LIKE wildcard in it. */
const accountTag = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
export const accountKey = (email: string) => `account:${accountTag(email)}`;
export const pairKey = (email: string, ip: string) => `pair:${accountTag(email)}:${ip}`.slice(0, 191);
export const knownKey = (email: string, ip: string) => `known:${accountTag(email)}:${ip}`.slice(0, 191);
export const addressKey = (ip: string) => `ip:${ip}`.slice(0, 191);

/**
 * Counts failed logins in the database (shared by all instances): per account and address, per
 * address, and per account across addresses; also remembers the addresses an account signed in from.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  private get rows() {
    return this.dataSource.getRepository(LoginThrottle);
  }

  /** The time until which any of the keys is locked, or null when a login may be tried. */
  async lockedUntil(keys: string[], now = new Date()): Promise<Date | null> {
    const rows = await this.rows.findBy(keys.map((key) => ({ key })));
    const locks = rows.map((row) => row.lockedUntil).filter((until): until is Date => !!until && until > now);
    return locks.length ? new Date(Math.max(...locks.map((d) => d.getTime()))) : null;
  }

  /** The row of a key as it stands (the account's window start binds an unlock link to one lock). */
  findRow(key: string): Promise<LoginThrottle | null> {
    return this.rows.findOneBy({ key });
  }

  /** Counts a failure; returns the failures in the current window (equal to maxFailures when this one locked). */
  async recordFailure(key: string, policy: ThrottlePolicy, now = new Date()): Promise<number> {
    return this.transactions.run(async (manager) => {
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
      return failures;
    });
  }

  async reset(key: string): Promise<void> {
    await this.transactions.run((manager) => manager.getRepository(LoginThrottle).delete({ key }));
  }

  /** The owner signed in from this address: the account-wide ceiling will not lock it out. */
  async rememberAddress(email: string, ip: string, now = new Date()): Promise<void> {
    await this.transactions.run((manager) => manager.getRepository(LoginThrottle).save({ key: knownKey(email, ip), failures: 0, windowStartedAt: now, lockedUntil: null }));
  }

  async isKnownAddress(email: string, ip: string, now = new Date()): Promise<boolean> {
    const row = await this.rows.findOneBy({ key: knownKey(email, ip) });
    return !!row && now.getTime() - row.windowStartedAt.getTime() < KNOWN_ADDRESS_MS;
  }

  /** Lifts every lock on an account (all addresses); the addresses it knows stay known. */
  async unlockAccount(email: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const repository = manager.getRepository(LoginThrottle);
      await repository.delete({ key: accountKey(email) });
      await repository.delete({ key: Like(`pair:${accountTag(email)}:%`) });
    });
  }

  /** Whether any lock on the account is in force from some address (for the admin's user list). */
  async lockedAccounts(emails: string[], now = new Date()): Promise<Set<string>> {
    if (emails.length === 0) return new Set();
    const rows = await this.rows.findBy(emails.flatMap((email) => [{ key: accountKey(email) }, { key: Like(`pair:${accountTag(email)}:%`) }]));
    const locked = new Set(rows.filter((row) => row.lockedUntil && row.lockedUntil > now).map((row) => row.key.split(':')[1]));
    return new Set(emails.filter((email) => locked.has(accountTag(email))));
  }
}
