import { buildReport, ReportsService } from '../src/programmes/reports.service';
import { ALL_WEEKS } from '../src/programmes/stats/weeks';
import { lessonSlugs } from './support/learning';
import { courseIds, createCohort, createProgramme, userWithRole } from './support/programmes';
import { Browser, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(300_000);

const COURSE = 'alibaba-first-30-days';

describe('many learners of one programme working at the same moment', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('fails no request and leaves the shared counters exact', async () => {
    const manager = await userWithRole(t, 'Tahira Manager', 'tahira@example.pk', 'manager');
    const programmeId = await createProgramme(manager, 'Busy Programme');
    const cohortId = await createCohort(manager, programmeId, 'Everyone', await courseIds(t, [COURSE, 'getting-paid-safely']));
    const learners: Browser[] = [];
    for (let i = 0; i < 16; i++) {
      learners.push(await userWithRole(t, `Learner ${i}`, `busy${i}@example.pk`, 'learner'));
      await manager.submit(`/manage/cohorts/${cohortId}/members`, `/manage/cohorts/${cohortId}/members`, { email: `busy${i}@example.pk` });
    }
    const slugs = lessonSlugs((await learners[0].get(`/courses/${COURSE}`)).text, COURSE);
    // Every learner opens and marks each lesson, all at once: the same counter rows move under all of them.
    const statuses = (
      await Promise.all(
        learners.map(async (learner) => {
          const seen: number[] = [];
          for (const slug of slugs) {
            const path = `/courses/${COURSE}/modules/${slug}`;
            seen.push((await learner.get(path)).status, (await learner.submit(path, `${path}/complete`, {})).status);
          }
          return seen;
        }),
      )
    ).flat();
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    const reports = t.app.get(ReportsService);
    const scope = { kind: 'programme' as const, programmeId };
    const recounted = buildReport(await reports.recount(scope, ALL_WEEKS), ALL_WEEKS, true);
    expect(buildReport(await reports.counterSummary(scope, ALL_WEEKS), ALL_WEEKS, true)).toEqual(recounted);
    expect([recounted.totals.enrolled, recounted.totals.started, recounted.totals.halfway]).toEqual([32, 16, 16]);
  });
});
