import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Every write goes through here. MariaDB gets an ordinary transaction per call. TypeORM's
 * better-sqlite3 driver shares one query runner for the whole process, so two overlapping
 * transactions would nest into each other; on SQLite the calls are therefore queued.
 */
@Injectable()
export class TransactionRunner {
  private sqliteQueue: Promise<unknown> = Promise.resolve();
  private readonly committed = new WeakMap<EntityManager, (() => void)[]>();

  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const transaction = async () => {
      const callbacks: (() => void)[] = [];
      let used: EntityManager | undefined;
      try {
        const result = await this.dataSource.transaction((manager) => {
          used = manager;
          this.committed.set(manager, callbacks);
          return work(manager);
        });
        for (const callback of callbacks) callback();
        return result;
      } finally {
        // On SQLite every transaction gets the same manager: forget this one's callbacks.
        if (used) this.committed.delete(used);
      }
    };
    if (this.dataSource.options.type !== 'better-sqlite3') return transaction();
    const result = this.sqliteQueue.then(transaction);
    this.sqliteQueue = result.catch(() => undefined);
    return result;
  }

  /**
   * Runs `callback` once the transaction of `manager` has committed (never if it rolls back);
   * at once for a manager outside any transaction of ours.
   */
  afterCommit(manager: EntityManager, callback: () => void): void {
    const callbacks = this.committed.get(manager);
    if (callbacks) callbacks.push(callback);
    else callback();
  }

  get isSqlite(): boolean {
    return this.dataSource.options.type === 'better-sqlite3';
  }
}
