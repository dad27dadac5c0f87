import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, IsNull } from 'typeorm';
import { ForbiddenError, FormInvalidError, NotFoundError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import type { User } from '../users/user.entity';
import { CohortMember } from './entities/cohort.entity';
import { ExportOutcome, Milestone, MILESTONES } from './entities/export-outcome.entity';
import { ProgrammesService, Viewer } from './programmes.service';
import { outcomeState, ProgrammeStatsService } from './stats/programme-stats.service';
import { todayIso } from './stats/weeks';

export interface OutcomeInput {
  milestone?: string;
  achievedOn?: string;
  evidenceUrl?: string;
}

export function isMilestone(value: unknown): value is Milestone {
  return typeof value === 'string' && (MILESTONES as readonly string[]).includes(value);
}

function checkUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'https:' || url.protocol === 'http:') && raw.length <= 500;
  } catch {
    return false;
  }
}

/**
 * Export outcomes: the milestones a learner's business reached after training. The learner
 * records them; a trainer, or a manager of the learner's programme or cohort, verifies them.
 */
@Injectable()
export class OutcomesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly stats: ProgrammeStatsService,
    private readonly programmes: ProgrammesService,
  ) {}

  async listFor(userId: number): Promise<ExportOutcome[]> {
    const outcomes = await this.dataSource.getRepository(ExportOutcome).findBy({ userId });
    return outcomes.sort((a, b) => MILESTONES.indexOf(a.milestone) - MILESTONES.indexOf(b.milestone));
  }

  /** Records a milestone, or corrects it; a corrected milestone needs verifying again. */
  async record(userId: number, input: OutcomeInput, now = new Date()): Promise<ExportOutcome> {
    const errors: Record<string, string> = {};
    if (!isMilestone(input.milestone)) errors.milestone = 'validation.choose_option';
    const achievedOn = String(input.achievedOn ?? '').trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(achievedOn) || Number.isNaN(Date.parse(`${achievedOn}T00:00:00Z`))) errors.achievedOn = 'outcomes.errors.date_invalid';
    else if (achievedOn > todayIso(now)) errors.achievedOn = 'outcomes.errors.date_future';
    else if (achievedOn < '2000-01-01') errors.achievedOn = 'outcomes.errors.date_invalid';
    const evidenceUrl = String(input.evidenceUrl ?? '').trim();
    if (evidenceUrl && !checkUrl(evidenceUrl)) errors.evidenceUrl = 'outcomes.errors.url_invalid';
    if (Object.keys(errors).length) throw new FormInvalidError(errors);

    return this.transactions.run(async (manager) => {
      const repository = manager.getRepository(ExportOutcome);
      const existing = await repository.findOne({ where: { userId, milestone: input.milestone as Milestone }, ...this.forUpdate() });
      const unchanged = existing && existing.achievedOn === achievedOn && (existing.evidenceUrl ?? '') === evidenceUrl;
      if (unchanged) return existing;
      const saved = await repository.save(
        repository.merge(existing ?? repository.create({ userId, milestone: input.milestone as Milestone, createdAt: now }), {
          achievedOn,
          evidenceUrl: evidenceUrl || null,
          verifiedAt: null,
          verifiedBy: null,
          updatedAt: now,
        }),
      );
      await this.stats.countOutcomes(manager, userId, existing ? [outcomeState(existing)] : [], [outcomeState(saved)]);
      return saved;
    });
  }

  async remove(userId: number, outcomeId: number): Promise<void> {
    await this.transactions.run(async (manager) => {
      const outcome = await manager.getRepository(ExportOutcome).findOne({ where: { id: outcomeId, userId }, ...this.forUpdate() });
      if (!outcome) throw new NotFoundError('outcomes.not_found');
      await manager.getRepository(ExportOutcome).delete({ id: outcome.id });
      await this.stats.countOutcomes(manager, userId, [outcomeState(outcome)], []);
    });
  }

  /** Outcomes waiting for verification that this trainer or manager may verify, oldest first. */
  async reviewQueue(viewer: Viewer, limit = 100): Promise<(ExportOutcome & { user: User })[]> {
    const query = this.dataSource
      .getRepository(ExportOutcome)
      .createQueryBuilder('o')
      .innerJoinAndSelect('o.user', 'user')
      .where('o.verified_at IS NULL')
      .orderBy('o.created_at', 'ASC')
      .addOrderBy('o.id', 'ASC')
      .take(limit);
    if (viewer.role === 'manager') {
      const { programmeIds, cohortIds } = await this.programmes.scopeOf(viewer);
      if (!programmeIds?.length && !cohortIds.length) return [];
      query.andWhere(
        new Brackets((where) => {
          where.where('1 = 0');
          if (programmeIds?.length) where.orWhere('o.user_id IN (SELECT m.user_id FROM cohort_members m WHERE m.programme_id IN (:...programmeIds))', { programmeIds });
          if (cohortIds.length) where.orWhere('o.user_id IN (SELECT m2.user_id FROM cohort_members m2 WHERE m2.cohort_id IN (:...cohortIds))', { cohortIds });
        }),
      );
    }
    return (await query.getMany()) as (ExportOutcome & { user: User })[];
  }

  /** Trainers and admins verify any outcome; a manager only those of learners in their programmes or cohorts. */
  async verify(viewer: Viewer, outcomeId: number, now = new Date()): Promise<void> {
    await this.transactions.run(async (manager) => {
      const outcome = await manager.getRepository(ExportOutcome).findOneBy({ id: outcomeId });
      if (!outcome) throw new NotFoundError('outcomes.not_found');
      if (viewer.role === 'manager' && !(await this.managesLearner(viewer, outcome.userId))) throw new ForbiddenError();
      if (outcome.verifiedAt) return;
      // Only the request that actually verifies it counts it (two managers may click at once).
      const result = await manager.getRepository(ExportOutcome).update({ id: outcome.id, verifiedAt: IsNull() }, { verifiedAt: now, verifiedBy: viewer.id });
      if ((result.affected ?? 0) !== 1) return;
      await this.stats.countOutcomes(manager, outcome.userId, [outcomeState(outcome)], [{ ...outcomeState(outcome), verified: true }]);
    });
  }

  /** Reads the row's latest version and holds it (MariaDB); SQLite has one writer anyway. */
  private forUpdate() {
    return this.transactions.isSqlite ? {} : { lock: { mode: 'pessimistic_write' as const } };
  }

  private async managesLearner(viewer: Viewer, userId: number): Promise<boolean> {
    const { programmeIds, cohortIds } = await this.programmes.scopeOf(viewer);
    if (programmeIds === null) return true;
    const memberships = await this.dataSource.getRepository(CohortMember).findBy({ userId });
    return memberships.some((m) => programmeIds.includes(m.programmeId) || cohortIds.includes(m.cohortId));
  }
}
