import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { And, DataSource, EntityManager, EntitySubscriberInterface, In, IsNull, LessThanOrEqual, MoreThan, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { TransactionRunner } from '../database/transaction-runner';
import { BackgroundJobs } from '../queues/background-jobs';
import { BACKGROUND_JOB_OPTIONS, REFRESH_COURSE_PROGRESS_JOB, SCHEDULES } from '../queues/background.queue';
import { CourseRefreshRun, RefreshRunStatus } from './course-refresh-run.entity';
import { Enrollment } from './enrollment.entity';
import { EnrollmentsService } from './enrollments.service';

/** Marks a transaction that wrote a run, so the run is queued right after it commits. */
const RUN_WRITTEN = 'courseRefreshRunWritten';
const UNFINISHED: RefreshRunStatus[] = ['waiting', 'running'];

/** A run as the trainer's course page shows it. */
export interface RefreshRunView {
  id: number;
  status: RefreshRunStatus;
  total: number;
  done: number;
  percent: number;
  finished: boolean;
  failed: boolean;
  finishedAt: Date | null;
}

/** Another worker committed this run's chunk first (a stalled job picked up twice): this one rolls back. */
class ChunkTakenError extends Error {}

/**
 * After a new version of a course went live (published in the browser or imported from
 * content/), the completion rule is applied again to every enrolment not yet completed — in
 * the background, a chunk of enrolments per transaction, so neither the request nor any one
 * transaction grows with the number of learners. Completed enrolments are left alone: a
 * completion is never taken back.
 */
@Injectable()
export class CourseRefreshService implements OnModuleInit, OnApplicationShutdown, EntitySubscriberInterface {
  private readonly logger = new Logger('CourseRefresh');

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly enrollments: EnrollmentsService,
    private readonly jobs: BackgroundJobs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
    this.jobs.handle(REFRESH_COURSE_PROGRESS_JOB, async ({ runId }, job) => {
      try {
        return await this.processRun(runId);
      } catch (error) {
        // attemptsMade counts the tries that failed before this one.
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? BACKGROUND_JOB_OPTIONS.attempts ?? 1)) await this.markFailed(runId, error);
        throw error;
      }
    });
    this.jobs.every(SCHEDULES.backgroundRuns, () => this.queueUnfinished());
  }

  onApplicationShutdown(): void {
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }

  /**
   * Records a run in the caller's transaction (the one that made the new version live); it is
   * queued once that commits. An earlier unfinished run of the course is superseded: the new
   * one covers its learners again against the newer version.
   */
  async start(manager: EntityManager, courseId: number, now: Date): Promise<CourseRefreshRun> {
    const runs = manager.getRepository(CourseRefreshRun);
    await runs.update({ courseId, status: In(UNFINISHED) }, { status: 'superseded', finishedAt: now });
    const { total, last } = (await manager
      .getRepository(Enrollment)
      .createQueryBuilder('e')
      .select('COUNT(*)', 'total')
      .addSelect('MAX(e.id)', 'last')
      .where('e.course_id = :courseId AND e.completed_at IS NULL', { courseId })
      .getRawOne<{ total: string | number; last: string | number | null }>()) ?? { total: 0, last: null };
    const empty = Number(total) === 0;
    const run = await runs.save(
      runs.create({
        courseId,
        status: empty ? 'done' : 'waiting',
        total: Number(total),
        done: 0,
        lastEnrollmentId: Number(last ?? 0),
        cursor: 0,
        startedAt: now,
        finishedAt: empty ? now : null,
        error: null,
      }),
    );
    if (!empty && manager.queryRunner) manager.queryRunner.data = { ...manager.queryRunner.data, [RUN_WRITTEN]: true };
    return run;
  }

  /** TypeORM calls this after every commit; only transactions that wrote a run queue anything. */
  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (!event.queryRunner.data?.[RUN_WRITTEN]) return;
    delete event.queryRunner.data[RUN_WRITTEN];
    void this.queueUnfinished();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (event.queryRunner.data) delete event.queryRunner.data[RUN_WRITTEN];
  }

  /**
   * Queues every unfinished run. A run already queued or running keeps its job (same job id),
   * so this serves both right after a publish and, on the resume schedule, for runs written
   * while Redis was down or whose job Redis lost.
   */
  async queueUnfinished(): Promise<void> {
    const runs = await this.dataSource.getRepository(CourseRefreshRun).find({ select: { id: true }, where: { status: In(UNFINISHED) } });
    await this.jobs.enqueue(REFRESH_COURSE_PROGRESS_JOB, runs.map((run) => run.id));
  }

  /** The worker's side: chunk after chunk until the run is done (or superseded). Returns its final state. */
  async processRun(runId: number): Promise<RefreshRunStatus | null> {
    let status: RefreshRunStatus | null;
    do status = await this.processChunk(runId);
    while (status === 'running');
    return status;
  }

  /**
   * One chunk in one transaction: the enrolments after the cursor, the rule applied to each,
   * the cursor and count moved — all commit together or not at all.
   */
  async processChunk(runId: number): Promise<RefreshRunStatus | null> {
    return this.transactions.run(async (manager) => {
      const runs = manager.getRepository(CourseRefreshRun);
      const run = await runs.findOneBy({ id: runId });
      if (!run || !UNFINISHED.includes(run.status)) return run?.status ?? null;
      const chunk = await manager.getRepository(Enrollment).find({
        select: { id: true },
        where: { courseId: run.courseId, completedAt: IsNull(), id: this.range(run) },
        order: { id: 'ASC' },
        take: this.config.backgroundChunkSize,
      });
      await this.enrollments.applyCompletionRuleToMany(manager, chunk.map((enrollment) => enrollment.id), run.startedAt);
      const finished = chunk.length < this.config.backgroundChunkSize;
      const status: RefreshRunStatus = finished ? 'done' : 'running';
      const moved = await runs.update(
        { id: run.id, cursor: run.cursor, status: run.status },
        { cursor: chunk.at(-1)?.id ?? run.cursor, done: run.done + chunk.length, status, finishedAt: finished ? new Date() : null },
      );
      if ((moved.affected ?? 0) !== 1) throw new ChunkTakenError(`refresh run ${run.id}: chunk after ${run.cursor} committed elsewhere`);
      return status;
    });
  }

  private range(run: CourseRefreshRun) {
    // id > cursor AND id <= last: TypeORM takes one operator per column, so the pair goes through And().
    return And(MoreThan(run.cursor), LessThanOrEqual(run.lastEnrollmentId));
  }

  private async markFailed(runId: number, error: unknown): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    this.logger.error(`refresh run ${runId} failed: ${message}`);
    await this.transactions.run((manager) =>
      manager.getRepository(CourseRefreshRun).update({ id: runId, status: In(UNFINISHED) }, { status: 'failed', error: message, finishedAt: new Date() }),
    );
  }

  /** The course's latest run, for its authoring page; null when it never had one. */
  async latest(courseId: number): Promise<RefreshRunView | null> {
    const run = await this.dataSource.getRepository(CourseRefreshRun).findOne({ where: { courseId }, order: { id: 'DESC' } });
    if (!run) return null;
    return {
      id: run.id,
      status: run.status,
      total: run.total,
      done: run.done,
      percent: run.total === 0 ? 100 : Math.min(100, Math.floor((run.done * 100) / run.total)),
      finished: !UNFINISHED.includes(run.status),
      failed: run.status === 'failed',
      finishedAt: run.finishedAt,
    };
  }
}
