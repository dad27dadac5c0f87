import { DataSource } from 'typeorm';
import { seedBench } from '../src/bench/seed-bench';
import { buildReport, ReportScope, ReportsService } from '../src/programmes/reports.service';
import { ProgrammeStatsService } from '../src/programmes/stats/programme-stats.service';
import { ALL_WEEKS, weekOf, WeekRange } from '../src/programmes/stats/weeks';
import { startTestApp, TestApp } from './support/test-app';

jest.setTimeout(180_000);

async function counterRows(t: TestApp, programmeId: number): Promise<string[]> {
  const rows: Record<string, unknown>[] = await t.app
    .get(DataSource)
    .query(
      'SELECT cohort_id, course_id, dimension, value, week, enrolled, started, halfway, completed, certified, completions FROM programme_stats WHERE programme_id = ? AND (enrolled <> 0 OR started <> 0 OR completed <> 0 OR completions <> 0 OR certified <> 0 OR halfway <> 0)',
      [programmeId],
    );
  return rows.map((r) => Object.values(r).map(String).join('|')).sort();
}

describe('the precomputed programme counters equal a recount from the learning records', () => {
  let t: TestApp;
  let programmeIds: number[];
  const now = new Date();

  beforeAll(async () => {
    t = await startTestApp();
    const result = await seedBench(t.app.get(DataSource), { learners: 400, enrolments: 2000, programmes: 3, cohorts: 12, courses: 8, seed: 7, now });
    programmeIds = result.programmeIds;
    for (const id of programmeIds) await t.app.get(ProgrammeStatsService).rebuildCounters(id);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('seeds a realistic spread: several programmes, every stage of progress, certificates and outcomes', async () => {
    const db = t.app.get(DataSource);
    const [row] = await db.query(
      `SELECT COUNT(*) AS enrolments,
              SUM(CASE WHEN completed_at IS NOT NULL THEN 1 ELSE 0 END) AS completed,
              SUM(CASE WHEN progress_percent > 0 AND completed_at IS NULL THEN 1 ELSE 0 END) AS in_progress,
              SUM(CASE WHEN progress_percent = 0 THEN 1 ELSE 0 END) AS not_started
         FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.email LIKE '%@bench.example.pk'`,
    );
    expect(Number(row.enrolments)).toBeGreaterThanOrEqual(1900);
    for (const key of ['completed', 'in_progress', 'not_started']) expect(Number(row[key])).toBeGreaterThan(100);
    const [{ n: certificates }] = await db.query("SELECT COUNT(*) AS n FROM certificates WHERE status = 'issued'");
    const [{ n: outcomes }] = await db.query('SELECT COUNT(*) AS n FROM export_outcomes');
    expect(Number(certificates)).toBeGreaterThan(50);
    expect(Number(outcomes)).toBeGreaterThan(10);
  });

  it.each([
    ['all dates', ALL_WEEKS],
    ['the last 13 weeks', { from: weekOf(new Date()) - 12, to: weekOf(new Date()) }],
    ['a year ago, for 26 weeks', { from: weekOf(new Date()) - 52, to: weekOf(new Date()) - 27 }],
  ] as [string, WeekRange][])('for %s, in every programme', async (_name, range) => {
    const reports = t.app.get(ReportsService);
    for (const programmeId of programmeIds) {
      const recounted = buildReport(await reports.recount({ kind: 'programme', programmeId }, range), range, true);
      expect(buildReport(await reports.counterSummary({ kind: 'programme', programmeId }, range), range, true)).toEqual(recounted);
      expect(buildReport(await reports.rowSummary({ kind: 'programme', programmeId }, range), range, true)).toEqual(recounted);
      if (range === ALL_WEEKS) expect(recounted.totals.enrolled).toBeGreaterThan(0);
    }
  });

  it('for every cohort and every course of a programme', async () => {
    const reports = t.app.get(ReportsService);
    const programmeId = programmeIds[0];
    const scopes: ReportScope[] = [
      ...(await t.app.get(DataSource).query('SELECT id FROM cohorts WHERE programme_id = ?', [programmeId])).map((r: { id: number }) => ({ kind: 'cohort' as const, programmeId, cohortId: Number(r.id) })),
      ...(await t.app.get(DataSource).query('SELECT DISTINCT cc.course_id AS id FROM cohort_courses cc JOIN cohorts c ON c.id = cc.cohort_id WHERE c.programme_id = ?', [programmeId])).map(
        (r: { id: number }) => ({ kind: 'course' as const, programmeId, courseId: Number(r.id) }),
      ),
    ];
    expect(scopes.length).toBeGreaterThan(4);
    for (const scope of scopes) {
      const withOutcomes = scope.kind === 'cohort';
      const recounted = buildReport(await reports.recount(scope, ALL_WEEKS), ALL_WEEKS, withOutcomes);
      expect({ scope, report: buildReport(await reports.counterSummary(scope, ALL_WEEKS), ALL_WEEKS, withOutcomes) }).toEqual({ scope, report: recounted });
      expect(buildReport(await reports.rowSummary(scope, ALL_WEEKS), ALL_WEEKS, withOutcomes)).toEqual(recounted);
    }
  });

  it('rebuilds to exactly the same counters', async () => {
    const before = await counterRows(t, programmeIds[0]);
    await t.app.get(ProgrammeStatsService).rebuildCounters(programmeIds[0]);
    expect(await counterRows(t, programmeIds[0])).toEqual(before);
    expect(before.length).toBeGreaterThan(50);
  });
});
