import { Injectable, Logger } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { RequestThrottle } from './request-throttle.entity';
import { TransactionRunner } from './transaction-runner';

/** At most `limit` counted events per key in a fixed window of `windowMs`. */
export interface RatePolicy {
  limit: number;
  windowMs: number;
}

/** Rows whose window ended this long ago are deleted now and then. */
const FORGET_AFTER_MS = 24 * 3600_000;
const FORGET_EVERY = 200;

/**
 * Fixed-window counters in the database, so a limit holds across every web process. Counting is
 * best effort: a counter that cannot be written (two first hits racing on MariaDB, a deadlock)
 * is retried once and then given up, never turning the request itself into an error.
 */
@Injectable()
export class RequestThrottleService {
  private readonly logger = new Logger('RequestThrottle');
  private counted = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
  ) {}

  /** True when the key has used up its limit in the current window. */
  async isOver(key: string, policy: RatePolicy, now = new Date()): Promise<boolean> {
    const row = await this.dataSource.getRepository(RequestThrottle).findOneBy({ key: key.slice(0, 191) });
    return !!row && now.getTime() - row.windowStartedAt.getTime() < policy.windowMs && row.hits >= policy.limit;
  }

  async count(key: string, policy: RatePolicy, now = new Date()): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.increment(key.slice(0, 191), policy, now);
        break;
      } catch (error) {
        if (attempt >= 2) {
          this.logger.warn(`could not count ${key}: ${error instanceof Error ? error.message : String(error)}`);
          break;
        }
      }
    }
    if (++this.counted % FORGET_EVERY === 0) await this.forgetOld(now);
  }

  private increment(key: string, policy: RatePolicy, now: Date): Promise<void> {
    return this.transactions.run(async (manager) => {
      const repository = manager.getRepository(RequestThrottle);
      const row = await repository.findOne({ where: { key }, lock: this.transactions.isSqlite ? undefined : { mode: 'pessimistic_write' } });
      if (!row) {
        await repository.insert({ key, hits: 1, windowStartedAt: now });
        return;
      }
      const windowOpen = now.getTime() - row.windowStartedAt.getTime() < policy.windowMs;
      await repository.update({ key }, windowOpen ? { hits: row.hits + 1 } : { hits: 1, windowStartedAt: now });
    });
  }

  private async forgetOld(now: Date): Promise<void> {
    try {
      await this.transactions.run((manager) => manager.getRepository(RequestThrottle).delete({ windowStartedAt: LessThan(new Date(now.getTime() - FORGET_AFTER_MS)) }));
    } catch (error) {
      this.logger.warn(`could not forget old counters: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
