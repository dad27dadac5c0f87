import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/domain-error';
import { Course } from '../courses/course.entity';
import { I18nService } from '../i18n/i18n.service';
import { Cohort } from '../programmes/entities/cohort.entity';
import { Programme } from '../programmes/entities/programme.entity';
import { MembershipService } from '../programmes/membership.service';
import { ProgrammesService, Viewer } from '../programmes/programmes.service';
import { Report, ReportScope, ReportsService } from '../programmes/reports.service';
import { QuizzesService } from '../quizzes/quizzes.service';
import type { Locale } from '../users/user.entity';
import { ChosenRange, chooseRange, PRESETS } from './report-range';
import { firstRows, ReportLabels, ReportView, TABLE_IDS, TableId, TableModel, tableCsv } from './report-view';

/** Tables of each report, in page order. */
const PAGE_TABLES: Record<ReportScope['kind'], readonly TableId[]> = {
  programme: ['funnel', 'weekly', 'courses', 'cohorts', 'outcomes', 'sector', 'province', 'city', 'gender', 'quizzes', 'at_risk'],
  cohort: ['funnel', 'weekly', 'courses', 'outcomes', 'sector', 'province', 'city', 'gender', 'quizzes', 'at_risk'],
  course: ['funnel', 'weekly', 'cohorts', 'sector', 'province', 'city', 'gender', 'quizzes', 'at_risk'],
};
const EXPORT_AT_RISK_LIMIT = 1_000_000;
const MEMBERS_PAGE = 50;

interface ScopeContext {
  scope: ReportScope;
  programme: Programme;
  cohort?: Cohort;
  course?: Course;
  base: string;
  managesProgramme: boolean;
}

/**
 * Builds the /manage report pages and their CSV exports: one service call per page for the
 * controllers, access checked first, then the report, then labels in the reader's language.
 */
@Injectable()
export class DashboardPagesService {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly reports: ReportsService,
    private readonly membership: MembershipService,
    private readonly quizzes: QuizzesService,
    private readonly i18n: I18nService,
  ) {}

  async programmeScope(viewer: Viewer, programmeId: number): Promise<ScopeContext> {
    const programme = await this.programmes.programmeFor(viewer, programmeId);
    return { scope: { kind: 'programme', programmeId }, programme, base: `/manage/programmes/${programmeId}`, managesProgramme: true };
  }

  async cohortScope(viewer: Viewer, cohortId: number): Promise<ScopeContext> {
    const { cohort, programme, managesProgramme } = await this.programmes.cohortFor(viewer, cohortId);
    return { scope: { kind: 'cohort', programmeId: programme.id, cohortId }, programme, cohort, base: `/manage/cohorts/${cohortId}`, managesProgramme };
  }

  async courseScope(viewer: Viewer, programmeId: number, courseId: number): Promise<ScopeContext> {
    const programme = await this.programmes.programmeFor(viewer, programmeId);
    const course = (await this.programmes.programmeCourses(programmeId)).find((c) => c.id === courseId);
    if (!course) throw new NotFoundError('errors.course_not_found');
    return { scope: { kind: 'course', programmeId, courseId }, programme, course, base: `/manage/programmes/${programmeId}/courses/${courseId}`, managesProgramme: true };
  }

  private async labels(context: ScopeContext, range: ChosenRange): Promise<ReportLabels> {
    const courses = context.cohort ? await this.programmes.cohortCourses(context.cohort.id) : await this.programmes.programmeCourses(context.programme.id);
    const cohorts = await this.programmes.cohortsOf(context.programme.id);
    const quizzes = new Map<number, { title: string; courseId: number }>();
    const lists = await this.quizzes.listQuizzesForCourses(courses.map((course) => course.id));
    for (const course of courses) for (const quiz of lists.get(course.id) ?? []) quizzes.set(quiz.id, { title: quiz.title, courseId: course.id });
    const programmeBase = `/manage/programmes/${context.programme.id}`;
    return {
      courseTitles: new Map(courses.map((c) => [c.id, c.title])),
      cohortNames: new Map(cohorts.map((c) => [c.id, c.name])),
      quizzes,
      base: context.base,
      rangeQuery: range.query,
      courseHref: context.managesProgramme && context.scope.kind !== 'course' ? (id) => `${programmeBase}/courses/${id}${range.query}` : undefined,
      cohortHref: (id) => `/manage/cohorts/${id}${range.query}`,
      learnerHref: (cohortId, userId) => `/manage/cohorts/${cohortId}/learners/${userId}`,
    };
  }

  /** The dashboard page for a programme, a cohort or a course. */
  async reportPage(context: ScopeContext, query: Record<string, unknown>, now: Date, locale: Locale) {
    const range = chooseRange(query, now);
    const [report, labels] = await Promise.all([this.reports.report(context.scope, range.range, range.days, now), this.labels(context, range)]);
    const view = new ReportView(this.i18n, locale);
    const charts = view.charts(report);
    const tables = view.tables(report, labels, PAGE_TABLES[context.scope.kind]).map((table) => ({
      ...firstRows(table, this.i18n, locale),
      chart: table.id === 'funnel' ? charts.funnel : table.id === 'weekly' ? charts.weekly : table.id === 'outcomes' ? charts.outcomes : null,
    }));
    const t = (key: string, params: Record<string, unknown> = {}) => this.i18n.translate(locale, key, params);
    const heading =
      context.scope.kind === 'programme'
        ? context.programme.name
        : context.scope.kind === 'cohort'
          ? t('reports.cohort_heading', { cohort: context.cohort?.name, programme: context.programme.name })
          : t('reports.course_heading', { course: context.course?.title, programme: context.programme.name });
    return {
      pageTitle: heading,
      heading,
      kind: context.scope.kind,
      programme: context.programme,
      cohort: context.cohort,
      course: context.course,
      managesProgramme: context.managesProgramme,
      base: context.base,
      range,
      rangeLabel:
        range.from || range.to
          ? t('reports.range_weeks', { from: range.from ? this.i18n.formatDate(locale, range.from) : '…', to: range.to ? this.i18n.formatDate(locale, range.to) : '…' })
          : t('reports.range_all'),
      presets: PRESETS.map((preset) => ({
        label: t(`reports.presets.${preset}`),
        href: `${context.base}${preset === 'all' ? '' : `?range=${preset}`}`,
        current: range.preset === preset,
      })),
      tiles: view.tiles(report),
      tables,
      certifiedNote: t('reports.certified_note'),
    };
  }

  /** One of the page's tables as CSV; the at-risk table in full, not only its first rows. */
  async exportTable(context: ScopeContext, tableId: string, query: Record<string, unknown>, now: Date, locale: Locale): Promise<{ filename: string; csv: string }> {
    if (!(TABLE_IDS as readonly string[]).includes(tableId) || !PAGE_TABLES[context.scope.kind].includes(tableId as TableId)) throw new NotFoundError();
    const range = chooseRange(query, now);
    const report: Report = await this.reports.report(context.scope, range.range, range.days, now, tableId === 'at_risk' ? EXPORT_AT_RISK_LIMIT : 0);
    const [table] = new ReportView(this.i18n, locale).tables(report, await this.labels(context, range), [tableId as TableId]);
    const span = range.from || range.to ? `-${range.from ?? 'start'}-${range.to ?? 'now'}` : '';
    return { filename: `${context.base.slice('/manage/'.length).replace(/\//g, '-')}-${tableId}${span}.csv`, csv: tableCsv(table) };
  }

  /** A cohort's members with where they stand; `all` for the CSV export. */
  async membersTable(
    context: ScopeContext,
    page: number,
    locale: Locale,
    all = false,
  ): Promise<{ table: TableModel; members: { userId: number; name: string }[]; total: number; pages: number }> {
    const cohortId = context.cohort?.id as number;
    const size = all ? 1_000_000 : MEMBERS_PAGE;
    const { members, total } = await this.membership.members(cohortId, all ? 1 : page, size);
    const t = (key: string) => this.i18n.translate(locale, `reports.columns.${key}`);
    const date = (d: Date) => ({ text: this.i18n.formatDate(locale, d), raw: d.toISOString().slice(0, 10) });
    return {
      total,
      pages: Math.max(1, Math.ceil(total / size)),
      members: members.map((m) => ({ userId: m.userId, name: m.user.name })),
      table: {
        id: 'members',
        caption: this.i18n.translate(locale, 'reports.tables.members'),
        headers: [t('learner'), t('email'), t('joined'), t('joined_via'), t('open_courses'), t('last_activity')],
        rows: members.map((m) => [
          { text: m.user.name, raw: m.user.name, href: `/manage/cohorts/${cohortId}/learners/${m.userId}` },
          { text: m.user.email, raw: m.user.email },
          date(m.joinedAt),
          { text: this.i18n.translate(locale, `reports.joined_via.${m.joinedVia}`), raw: this.i18n.translate(locale, `reports.joined_via.${m.joinedVia}`) },
          { text: this.i18n.formatNumber(locale, m.openCourses), raw: m.openCourses, numeric: true },
          date(m.lastActivityAt),
        ]),
        exportHref: `${context.base}/members/export`,
      },
    };
  }

  async membersCsv(context: ScopeContext, locale: Locale): Promise<{ filename: string; csv: string }> {
    const { table } = await this.membersTable(context, 1, locale, true);
    return { filename: `cohorts-${context.cohort?.id}-members.csv`, csv: tableCsv(table) };
  }
}
