import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Role } from '../users/user.entity';

/**
 * A subquery selecting one column of enrolment ids, with its named parameters. The module that
 * knows who manages which enrolments (programmes, through cohorts) builds it; certificates only
 * embeds it, so the filtering happens in SQL and certificates never reads that module's tables.
 * Parameter names must not clash with the register's own (prefix them, e.g. `scope…`).
 */
export interface EnrolmentIdsQuery {
  sql: string;
  params: ObjectLiteral;
}

/** Which certificates someone may see and act on: all (admins), none, or those of some enrolments. */
export type CertificateScope = 'all' | 'none' | EnrolmentIdsQuery;

/** Who is asking: access is decided on the account's id and role. */
export interface CertificateViewer {
  id: number;
  role: Role;
}

/**
 * Answers which enrolments' certificates a manager may see. The programmes module registers one
 * at start-up (CertificatesService.useManagerScope); without one, managers see none.
 */
export type ManagerScopeResolver = (viewer: CertificateViewer) => Promise<CertificateScope>;

/**
 * Narrows a query on certificates (aliased `c`) to a scope. A certificate belongs to the
 * enrolment of its holder and course: matched that way rather than by enrollment_id, because a
 * replaced certificate hands its enrollment_id to the replacement and must stay visible.
 */
export function whereInScope<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, scope: CertificateScope): SelectQueryBuilder<T> {
  if (scope === 'all') return query;
  if (scope === 'none') return query.andWhere('1 = 0');
  return query.andWhere(
    `EXISTS (SELECT 1 FROM enrollments scope_e WHERE scope_e.user_id = c.user_id AND scope_e.course_id = c.course_id AND scope_e.id IN (${scope.sql}))`,
    scope.params,
  );
}
