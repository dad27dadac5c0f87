import { DataSource, Like } from 'typeorm';
import { Enrollment } from '../enrollments/enrollment.entity';
import { ModuleProgress } from '../enrollments/module-progress.entity';
import { User } from '../users/user.entity';

const BATCH = 500;

/**
 * COUNT learners enrolled in a course and not completed, each having completed the given
 * lessons, written with multi-row INSERTs (tens of thousands a second) instead of going through
 * the app. Used by the background-runs bench and tests. Returns the enrolment ids, ascending.
 */
export async function seedOpenEnrolments(
  dataSource: DataSource,
  courseId: number,
  count: number,
  options: { label: string; completedModuleIds?: number[]; progressPercent?: number },
): Promise<number[]> {
  const now = new Date();
  const prefix = `seed-${options.label}-`;
  for (let start = 0; start < count; start += BATCH) {
    const users = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      users.push({ email: `${prefix}${i}@example.pk`, name: `Learner ${i}`, certificateName: null, locale: 'en' as const, passwordHash: '!', role: 'learner' as const, createdAt: now, updatedAt: now });
    }
    await dataSource.createQueryBuilder().insert().into(User).values(users).updateEntity(false).execute();
  }
  const userIds = (await dataSource.getRepository(User).find({ select: { id: true }, where: { email: Like(`${prefix}%`) }, order: { id: 'ASC' } })).map((u) => u.id);
  for (let start = 0; start < userIds.length; start += BATCH) {
    const rows = userIds.slice(start, start + BATCH).map((userId) => ({
      userId,
      courseId,
      status: 'active' as const,
      progressPercent: options.progressPercent ?? 0,
      lastModuleId: null,
      lastActivityAt: now,
      completedAt: null,
      createdAt: now,
    }));
    await dataSource.createQueryBuilder().insert().into(Enrollment).values(rows).updateEntity(false).execute();
  }
  const enrollmentIds = (
    await dataSource
      .getRepository(Enrollment)
      .createQueryBuilder('e')
      .select('e.id', 'id')
      .innerJoin(User, 'u', 'u.id = e.user_id')
      .where('e.course_id = :courseId AND u.email LIKE :prefix', { courseId, prefix: `${prefix}%` })
      .orderBy('e.id', 'ASC')
      .getRawMany<{ id: number | string }>()
  ).map((row) => Number(row.id));
  for (const moduleId of options.completedModuleIds ?? []) {
    for (let start = 0; start < enrollmentIds.length; start += BATCH) {
      const rows = enrollmentIds.slice(start, start + BATCH).map((enrollmentId) => ({ enrollmentId, moduleId, completedAt: now }));
      await dataSource.createQueryBuilder().insert().into(ModuleProgress).values(rows).updateEntity(false).execute();
    }
  }
  return enrollmentIds;
}
