import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, LessThan, Not } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import type { Enrollment } from '../enrollments/enrollment.entity';
import { EnrollmentsService } from '../enrollments/enrollments.service';
import { BackgroundJobs } from '../queues/background-jobs';
import { SCHEDULES, SEND_LTI_SCORE_JOB } from '../queues/background.queue';
import { LtiAccount } from './entities/lti-account.entity';
import { LtiPlatform } from './entities/lti-platform.entity';
import { LtiLinkLearner, LtiResourceLink } from './entities/lti-resource-link.entity';
import { LtiScoreOutbox } from './entities/lti-score-outbox.entity';
import { SCORE_MAXIMUM } from './lti-deep-linking.service';
import { AGS_SCORE_SCOPE, CLIENT_ASSERTION_TYPE, SCORE_MEDIA_TYPE } from './lti.constants';
import { ToolKeysService } from './tool-keys.service';

const HTTP_TIMEOUT_MS = 10_000;
/** Longer than all of a job's retries (about half a minute) plus a queue backlog. */
const FIRST_RETRY_MS = 15 * 60_000;
const LONGEST_RETRY_MS = 24 * 3600_000;
/** BACKGROUND_JOB_OPTIONS.attempts: one job's tries make one round. */
const ATTEMPTS_PER_JOB = 6;

/** When a row queued now, after `attempts` failed tries, gets a fresh job if it is still pending. */
export function retryAt(attempts: number, now: Date): Date {
  const rounds = Math.floor(attempts / ATTEMPTS_PER_JOB);
  return new Date(now.getTime() + Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(rounds, 10)));
}
const BATCH = 200;
/** Sent rows are kept a while for an administrator looking into a grade, then forgotten. */
const KEEP_DONE_ROWS_MS = 30 * 24 * 3600_000;

/** The platform's line item URL with /scores added to its path (it may carry a query string). */
export function scoresUrl(lineitemUrl: string): string {
  const url = new URL(lineitemUrl);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/scores`;
  return url.toString();
}

class DeliveryError extends Error {}

/**
 * Assignment and Grade Services: when a learner who came through an LMS link completes the
 * course, a score of 100 goes to that link's gradebook column. The completion's transaction
 * writes an outbox row; a worker job sends it with a bearer token from the platform
 * (client_credentials, a client assertion signed with the tool key). Failures are retried by
 * BullMQ; a row whose job gave up is copied into a fresh one and sent again later.
 */
@Injectable()
export class LtiScoresService implements OnModuleInit {
  private readonly logger = new Logger('LtiScores');
  private readonly tokens = new Map<number, { token: string; expiresAt: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly enrollments: EnrollmentsService,
    private readonly jobs: BackgroundJobs,
    private readonly keys: ToolKeysService,
  ) {}

  onModuleInit(): void {
    this.enrollments.onCourseCompleted((manager, enrollment) => this.recordCompletion(manager, enrollment));
    this.jobs.handle(SEND_LTI_SCORE_JOB, ({ runId }) => this.send(runId));
    this.jobs.every(SCHEDULES.backgroundRuns, () => this.resume());
  }

  /** In the completion's transaction: one outbox row per LMS link the learner launched this course from. */
  async recordCompletion(manager: EntityManager, enrollment: Enrollment): Promise<void> {
    const accounts = await manager.getRepository(LtiAccount).findBy({ userId: enrollment.userId });
    if (accounts.length === 0) return;
    const learners = await manager.getRepository(LtiLinkLearner).find({
      where: { accountId: In(accounts.map((a) => a.id)), resourceLink: { courseId: enrollment.courseId, lineitemUrl: Not(IsNull()) } },
      relations: { resourceLink: true },
    });
    const gradable = learners.filter((l) => !l.resourceLink?.scopes || l.resourceLink.scopes.includes(AGS_SCORE_SCOPE));
    if (gradable.length === 0) return;
    const now = new Date();
    const outbox = manager.getRepository(LtiScoreOutbox);
    const rows = await outbox.save(
      gradable.map((l) =>
        outbox.create({
          resourceLinkId: l.resourceLinkId,
          accountId: l.accountId,
          scoreGiven: SCORE_MAXIMUM,
          scoreMaximum: SCORE_MAXIMUM,
          completedAt: enrollment.completedAt ?? now,
          status: 'pending',
          attempts: 0,
          lastError: null,
          queuedAt: null,
          retryAt: null,
          deliveredAt: null,
          createdAt: now,
        }),
      ),
    );
    this.transactions.afterCommit(manager, () => void this.enqueue(rows.map((row) => row.id)));
  }

  /** The worker's job: sends one row's score unless it went already. Throws so BullMQ retries. */
  async send(rowId: number): Promise<string> {
    const row = await this.dataSource.getRepository(LtiScoreOutbox).findOne({ where: { id: rowId }, relations: { resourceLink: true, account: true } });
    if (!row || row.status !== 'pending') return 'nothing to send';
    const link = row.resourceLink as LtiResourceLink;
    const platform = await this.dataSource.getRepository(LtiPlatform).findOneBy({ id: link.platformId });
    if (!platform || !link.lineitemUrl) return 'platform or line item gone';
    try {
      const token = await this.accessToken(platform);
      const response = await fetch(scoresUrl(link.lineitemUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': SCORE_MEDIA_TYPE },
        body: JSON.stringify({
          userId: (row.account as LtiAccount).sub,
          scoreGiven: row.scoreGiven,
          scoreMaximum: row.scoreMaximum,
          activityProgress: 'Completed',
          gradingProgress: 'FullyGraded',
          timestamp: row.completedAt.toISOString(),
        }),
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
      if (response.status === 401) this.tokens.delete(platform.id);
      if (!response.ok) throw new DeliveryError(`scores endpoint answered ${response.status}`);
      await this.transactions.run((manager) =>
        manager.getRepository(LtiScoreOutbox).update({ id: row.id }, { status: 'delivered', deliveredAt: new Date(), attempts: row.attempts + 1, lastError: null }),
      );
      return 'delivered';
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
      await this.transactions.run((manager) => manager.getRepository(LtiScoreOutbox).update({ id: row.id }, { attempts: row.attempts + 1, lastError: message }));
      this.logger.warn(`score ${row.id} not delivered: ${message}`);
      throw error;
    }
  }

  /**
   * On the worker's schedule: queues rows nobody queued (Redis was down), gives rows whose job gave
   * up a fresh one, and forgets rows done long ago.
   */
  async resume(): Promise<void> {
    // Read through the transaction queue: on SQLite a plain read could see a completion's row before it commits.
    const stale = await this.transactions.run((manager) =>
      manager.getRepository(LtiScoreOutbox).find({ where: { status: 'pending', retryAt: LessThan(new Date()) }, order: { retryAt: 'ASC' }, take: BATCH }),
    );
    for (const row of stale) {
      await this.transactions.run(async (manager) => {
        const repository = manager.getRepository(LtiScoreOutbox);
        const superseded = await repository.update({ id: row.id, status: 'pending' }, { status: 'superseded' });
        if (superseded.affected !== 1) return;
        const { id: _id, resourceLink: _link, account: _account, ...copy } = row;
        await repository.insert({ ...copy, status: 'pending', queuedAt: null, retryAt: null, createdAt: new Date() });
      });
    }
    const unqueued = await this.transactions.run((manager) =>
      manager.getRepository(LtiScoreOutbox).find({ select: { id: true }, where: { status: 'pending', queuedAt: IsNull() }, order: { id: 'ASC' }, take: BATCH }),
    );
    await this.enqueue(unqueued.map((row) => row.id));
    const cutoff = new Date(Date.now() - KEEP_DONE_ROWS_MS);
    await this.transactions.run((manager) =>
      manager.getRepository(LtiScoreOutbox).delete({ status: In(['delivered', 'superseded']), createdAt: LessThan(cutoff) }),
    );
  }

  private async enqueue(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    if (!(await this.jobs.enqueue(SEND_LTI_SCORE_JOB, ids))) return;
    const now = new Date();
    await this.transactions.run(async (manager) => {
      const outbox = manager.getRepository(LtiScoreOutbox);
      const rows = await outbox.find({ select: { id: true, attempts: true }, where: { id: In(ids), queuedAt: IsNull() } });
      for (const attempts of new Set(rows.map((row) => row.attempts))) {
        const same = rows.filter((row) => row.attempts === attempts).map((row) => row.id);
        await outbox.update({ id: In(same), queuedAt: IsNull() }, { queuedAt: now, retryAt: retryAt(attempts, now) });
      }
    });
  }

  /** A bearer token for the score scope (OAuth 2 client_credentials with a JWT client assertion, RFC 7523), kept until shortly before it expires. */
  private async accessToken(platform: LtiPlatform): Promise<string> {
    const cached = this.tokens.get(platform.id);
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    const assertion = await this.keys.sign({ iss: platform.clientId, sub: platform.clientId, aud: platform.tokenUrl }, 300);
    const response = await fetch(platform.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion, scope: AGS_SCORE_SCOPE }),
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
    if (!response.ok) throw new DeliveryError(`token endpoint answered ${response.status}`);
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || !body.access_token) throw new DeliveryError('token endpoint gave no access_token');
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    this.tokens.set(platform.id, { token: body.access_token, expiresAt: Date.now() + Math.max(0, lifetime - 60) * 1000 });
    return body.access_token;
  }
}
