import { Injectable, OnModuleInit } from '@nestjs/common';
import { TransactionRunner } from '../database/transaction-runner';
import { BackgroundJobs } from '../queues/background-jobs';
import { SCHEDULES } from '../queues/background.queue';
import { deleteExpiredSessions } from './typeorm-session.store';

/** Expired sessions are deleted by the worker on a schedule, not by a timer in every web process. */
@Injectable()
export class SessionCleanup implements OnModuleInit {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly jobs: BackgroundJobs,
  ) {}

  onModuleInit(): void {
    this.jobs.every(SCHEDULES.sessionCleanup, () => deleteExpiredSessions(this.transactions));
  }
}
