import { CSV_BOM, csvLine } from '../common/csv';
import { I18nService } from '../i18n/i18n.service';
import type { BreakdownRow, Report } from '../programmes/reports.service';
import type { Breakdown } from '../programmes/stats/tally';
import { weekStart } from '../programmes/stats/weeks';
import type { Locale } from '../users/user.entity';

export const TABLE_IDS = ['funnel', 'weekly', 'courses', 'cohorts', 'sector', 'province', 'gender', 'city', 'quizzes', 'outcomes', 'at_risk'] as const;
export type TableId = (typeof TABLE_IDS)[number];

export interface Cell {
  /** As shown on the page (numbers in the reader's locale). */
  text: string;
  /** As written to CSV: plain numbers, ISO dates. */
  raw: string | number;
  href?: string;
  numeric?: boolean;
}

export interface TableModel {
  id: TableId | 'members';
  caption: string;
  hint?: string;
  headers: string[];
  rows: Cell[][];
  exportHref: string;
  /** Set when the page shows only the first rows (the CSV has them all). */
  shownOf?: string;
}

/** Breakdowns can run to hundreds of cohorts or cities: the page shows the largest, the CSV all. */
export const PAGE_ROWS = 25;

export function firstRows(table: TableModel, i18n: I18nService, locale: Locale): TableModel {
  if (table.id === 'weekly' || table.id === 'at_risk' || table.rows.length <= PAGE_ROWS) return table;
  return {
    ...table,
    rows: table.rows.slice(0, PAGE_ROWS),
    shownOf: i18n.translate(locale, 'reports.shown_of', { shown: PAGE_ROWS, total: table.rows.length }),
  };
}

export interface ChartBar {
  x: number;
  y: number;
  width: number;
  height: number;
  fill: string;
  title: string;
}

export interface ChartText {
  x: number;
  y: number;
  text: string;
  anchor: 'start' | 'middle' | 'end';
}

export interface ChartModel {
  id: string;
  width: number;
  height: number;
  bars: ChartBar[];
  texts: ChartText[];
  axis?: { x1: number; y1: number; x2: number; y2: number };
  legend?: { fill: string; label: string }[];
}

/** Non-text contrast of at least 3:1 on white (WCAG 1.4.11) for both series. */
const GREEN = '#0b5d3b';
const BLUE = '#1f5fa8';
const MAX_WEEKS_SHOWN = 156;

export interface ReportLabels {
  courseTitles: Map<number, string>;
  cohortNames: Map<number, string>;
  quizzes: Map<number, { title: string; courseId: number }>;
  /** The page the report is on, e.g. /manage/programmes/3 (exports go to <base>/export/<table>). */
  base: string;
  rangeQuery: string;
  courseHref?: (courseId: number) => string;
  cohortHref?: (cohortId: number) => string;
  learnerHref: (cohortId: number, userId: number) => string;
}

/** Turns a Report into what the dashboard template and the CSV exports show: tables and SVG charts. */
export class ReportView {
  constructor(
    private readonly i18n: I18nService,
    private readonly locale: Locale,
  ) {}

  private formatNumber(value: number): string {
    return this.i18n.formatNumber(this.locale, value);
  }

  private formatDate(value: Date | string): string {
    return this.i18n.formatDate(this.locale, value);
  }

  private t(key: string, params: Record<string, unknown> = {}): string {
    return this.i18n.translate(this.locale, key, params);
  }

  private num(value: number): Cell {
    return { text: this.formatNumber(value), raw: value, numeric: true };
  }

  private percent(value: number | null): Cell {
    return value === null ? { text: '—', raw: '', numeric: true } : { text: this.t('reports.percent', { percent: this.formatNumber(value) }), raw: value, numeric: true };
  }

  private label(text: string, href?: string): Cell {
    return { text, raw: text, href };
  }

  private date(value: Date | string): Cell {
    const iso = typeof value === 'string' ? value : value.toISOString();
    return { text: this.formatDate(value), raw: iso.slice(0, 10) };
  }

  valueLabel(dimension: Breakdown, value: string, labels: ReportLabels): Cell {
    if (dimension === 'course') return this.label(labels.courseTitles.get(Number(value)) ?? `#${value}`, labels.courseHref?.(Number(value)));
    if (dimension === 'cohort') return this.label(labels.cohortNames.get(Number(value)) ?? `#${value}`, labels.cohortHref?.(Number(value)));
    if (!value) return this.label(this.t('reports.not_given'));
    if (dimension === 'city') return this.label(value);
    const field = dimension === 'sector' ? 'sector' : dimension === 'province' ? 'province' : 'gender';
    return this.label(this.t(`profile.options.${field}.${value}`));
  }

  private breakdownTable(dimension: Breakdown, id: TableId, rows: BreakdownRow[], labels: ReportLabels): TableModel {
    return {
      id,
      caption: this.t(`reports.tables.${id}`),
      headers: [this.t(`reports.columns.${dimension}`), ...['enrolled', 'started', 'halfway', 'completed', 'certified', 'completion_rate'].map((c) => this.t(`reports.columns.${c}`))],
      rows: rows.map((row) => [
        this.valueLabel(dimension, row.value, labels),
        this.num(row.enrolled),
        this.num(row.started),
        this.num(row.halfway),
        this.num(row.completed),
        this.num(row.certified),
        this.percent(row.rate),
      ]),
      exportHref: '',
    };
  }

  /** Every week from the first to the last of the range (or of the data), empty weeks included. */
  weeks(report: Report): { week: number; enrolled: number; completions: number }[] {
    const known = new Map(report.weekly.map((w) => [w.week, w]));
    const weeks = report.weekly.map((w) => w.week);
    const first = report.range.from ?? (weeks.length ? Math.min(...weeks) : null);
    const last = report.range.to ?? (weeks.length ? Math.max(...weeks) : null);
    if (first === null || last === null) return [];
    const start = Math.max(first, last - MAX_WEEKS_SHOWN + 1);
    const result = [];
    for (let week = start; week <= last; week++) result.push(known.get(week) ?? { week, enrolled: 0, completions: 0 });
    return result;
  }

  tables(report: Report, labels: ReportLabels, include: readonly TableId[]): TableModel[] {
    const columns = (...keys: string[]) => keys.map((k) => this.t(`reports.columns.${k}`));
    const built: Partial<Record<TableId, TableModel>> = {
      funnel: {
        id: 'funnel',
        caption: this.t('reports.tables.funnel'),
        headers: columns('stage', 'enrolments', 'share_of_enrolled'),
        rows: report.funnel.map((stage) => [this.label(this.t(`reports.stages.${stage.stage}`)), this.num(stage.count), this.percent(stage.percent)]),
        exportHref: '',
      },
      weekly: {
        id: 'weekly',
        caption: this.t('reports.tables.weekly'),
        headers: columns('week_starting', 'enrolled', 'completions'),
        rows: this.weeks(report).map((w) => [this.date(weekStart(w.week)), this.num(w.enrolled), this.num(w.completions)]),
        exportHref: '',
      },
      quizzes: {
        id: 'quizzes',
        caption: this.t('reports.tables.quizzes'),
        hint: this.t('reports.quizzes_hint'),
        headers: columns('course', 'quiz', 'attempted', 'passed', 'pass_rate'),
        rows: report.quizzes.map((q) => {
          const quiz = labels.quizzes.get(q.quizId);
          return [
            this.label(quiz ? (labels.courseTitles.get(quiz.courseId) ?? '') : ''),
            this.label(quiz?.title ?? `#${q.quizId}`),
            this.num(q.attempted),
            this.num(q.passed),
            this.percent(q.rate),
          ];
        }),
        exportHref: '',
      },
      at_risk: {
        id: 'at_risk',
        caption: this.t('reports.tables.at_risk', { days: report.atRisk.days }),
        hint: this.t('reports.at_risk_hint', { count: report.atRisk.count, days: report.atRisk.days }),
        headers: columns('learner', 'email', 'cohort', 'open_courses', 'last_activity', 'idle_days'),
        rows: report.atRisk.learners.map((l) => [
          this.label(l.name, labels.learnerHref(l.cohortId, l.userId)),
          this.label(l.email),
          this.label(labels.cohortNames.get(l.cohortId) ?? ''),
          this.num(l.openCourses),
          this.date(l.lastActivityAt),
          this.num(l.idleDays),
        ]),
        exportHref: '',
      },
    };
    if (report.outcomes) {
      built.outcomes = {
        id: 'outcomes',
        caption: this.t('reports.tables.outcomes'),
        hint: this.t('reports.outcomes_hint'),
        headers: columns('milestone', 'learners', 'verified'),
        rows: report.outcomes.map((o) => [this.label(this.t(`outcomes.milestones.${o.milestone}`)), this.num(o.recorded), this.num(o.verified)]),
        exportHref: '',
      };
    }
    for (const dimension of ['course', 'cohort', 'sector', 'province', 'gender', 'city'] as const) {
      const id = dimension === 'course' ? 'courses' : dimension === 'cohort' ? 'cohorts' : dimension;
      built[id] = this.breakdownTable(dimension, id, report.breakdowns[dimension], labels);
    }
    return include
      .map((id) => built[id])
      .filter((table): table is TableModel => !!table)
      .map((table) => ({ ...table, exportHref: `${labels.base}/export/${table.id}${labels.rangeQuery}` }));
  }

  /** Enrolments and completions per week, two bars a week, in a fixed-width drawing. */
  weeklyChart(report: Report): ChartModel | null {
    const weeks = this.weeks(report);
    if (weeks.length === 0) return null;
    const width = 600;
    const slot = width / weeks.length;
    const bar = Math.max(0.5, Math.round(slot * 4) / 10);
    const base = 140;
    const biggest = Math.max(1, ...weeks.map((w) => Math.max(w.enrolled, w.completions)));
    const scale = (n: number) => Math.round((n / biggest) * 1300) / 10;
    const round = (n: number) => Math.round(n * 10) / 10;
    const bars: ChartBar[] = [];
    weeks.forEach((w, i) => {
      const label = this.formatDate(weekStart(w.week));
      const x = i * slot + slot * 0.1;
      bars.push({ x: round(x), y: round(base - scale(w.enrolled)), width: bar, height: scale(w.enrolled), fill: GREEN, title: `${label}: ${this.t('reports.columns.enrolled')} ${this.formatNumber(w.enrolled)}` });
      bars.push({ x: round(x + bar), y: round(base - scale(w.completions)), width: bar, height: scale(w.completions), fill: BLUE, title: `${label}: ${this.t('reports.columns.completions')} ${this.formatNumber(w.completions)}` });
    });
    return {
      id: 'weekly',
      width,
      height: 160,
      bars,
      axis: { x1: 0, y1: base, x2: width, y2: base },
      texts: [
        { x: 0, y: 8, text: this.formatNumber(biggest), anchor: 'start' },
        { x: 0, y: 154, text: this.formatDate(weekStart(weeks[0].week)), anchor: 'start' },
        ...(weeks.length > 1 ? [{ x: width, y: 154, text: this.formatDate(weekStart(weeks[weeks.length - 1].week)), anchor: 'end' as const }] : []),
      ],
      legend: [
        { fill: GREEN, label: this.t('reports.columns.enrolled') },
        { fill: BLUE, label: this.t('reports.columns.completions') },
      ],
    };
  }

  /** Horizontal bars, one per stage, each as long as its share of the first. */
  funnelChart(id: string, stages: { label: string; count: number }[]): ChartModel {
    const row = 22;
    const labelWidth = 175;
    const barSpace = 200;
    const first = Math.max(1, ...stages.map((s) => s.count));
    return {
      id,
      width: labelWidth + barSpace + 70,
      height: stages.length * row,
      bars: stages.map((s, i) => ({
        x: labelWidth,
        y: i * row + 3,
        width: Math.max(s.count > 0 ? 1 : 0, Math.round((s.count / first) * barSpace)),
        height: row - 6,
        fill: GREEN,
        title: `${s.label}: ${this.formatNumber(s.count)}`,
      })),
      texts: stages.flatMap((s, i) => [
        { x: 0, y: i * row + 15, text: s.label, anchor: 'start' as const },
        { x: labelWidth + Math.round((s.count / first) * barSpace) + 4, y: i * row + 15, text: this.formatNumber(s.count), anchor: 'start' as const },
      ]),
    };
  }

  charts(report: Report) {
    return {
      funnel: this.funnelChart(
        'funnel',
        report.funnel.map((s) => ({ label: this.t(`reports.stages.${s.stage}`), count: s.count })),
      ),
      weekly: this.weeklyChart(report),
      outcomes: report.outcomes
        ? this.funnelChart(
            'outcomes',
            report.outcomes.map((o) => ({ label: this.t(`outcomes.milestones.${o.milestone}`), count: o.recorded })),
          )
        : null,
    };
  }

  tiles(report: Report) {
    const days = report.medianDays;
    return [
      { label: this.t('reports.tiles.enrolled'), value: this.formatNumber(report.totals.enrolled) },
      { label: this.t('reports.tiles.started'), value: this.formatNumber(report.totals.started) },
      { label: this.t('reports.tiles.completed'), value: this.formatNumber(report.totals.completed) },
      { label: this.t('reports.tiles.certified'), value: this.formatNumber(report.totals.certified) },
      { label: this.t('reports.tiles.completion_rate'), value: this.percent(report.completionRate).text },
      { label: this.t('reports.tiles.median_days'), value: days === null ? '—' : this.t('reports.days', { days }) },
    ];
  }
}

/** A table as CSV: the same rows and headers as on the page, numbers unformatted. */
export function tableCsv(table: Pick<TableModel, 'headers' | 'rows'>): string {
  return CSV_BOM + csvLine(table.headers) + table.rows.map((row) => csvLine(row.map((cell) => cell.raw))).join('');
}
