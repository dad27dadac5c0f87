import { DataSource } from 'typeorm';
import { courseIds, createCohort, createProgramme, unescapeHtml, userWithRole } from './support/programmes';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';

/** Settings forms posted with missing or non-numeric ids answer with the form, never a 500. */
describe('manage settings forms with bad input', () => {
  let t: TestApp;
  let manager: Browser;
  let programmeId: number;
  let cohortId: number;
  let alibaba: number;
  let getPaid: number;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await userWithRole(t, 'Imran Manager', 'imran@smeda.example.pk', 'manager');
    [alibaba, getPaid] = await courseIds(t, ['alibaba-first-30-days', 'getting-paid-safely']);
    programmeId = await createProgramme(manager, 'Sialkot Sports Goods Exporters');
    cohortId = await createCohort(manager, programmeId, 'Batch A', [alibaba]);
  });

  afterAll(async () => {
    await t?.close();
  });

  const cohortCourses = async () =>
    (
      await t.app
        .get(DataSource)
        .query('SELECT course_id FROM cohort_courses WHERE cohort_id = ?', [cohortId])
    ).map((r: { course_id: number }) => Number(r.course_id));

  it.each([
    ['without a course', {}],
    ['with a word for a course', { courseId: 'abc' }],
    ['with a number too large for an id', { courseId: '1e400' }],
  ])('adding a course to a cohort %s re-renders the settings with the reason', async (_, fields) => {
    const page = await manager.get(`/manage/cohorts/${cohortId}/settings`);
    const response = await manager.agent
      .post(`/manage/cohorts/${cohortId}/courses`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...fields });
    expect(response.status).toBe(400);
    expect(unescapeHtml(response.text)).toContain(
      '<p class="error" role="alert">Choose at least one published course.</p>',
    );
    expect(await cohortCourses()).toEqual([alibaba]);
  });

  it('a refused new cohort keeps the courses that were ticked', async () => {
    const page = await manager.get(`/manage/programmes/${programmeId}/settings`);
    const response = await manager.agent
      .post(`/manage/programmes/${programmeId}/cohorts`)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        name: '',
        startsOn: '2026-02-01',
        endsOn: '',
        courseIds: [String(getPaid)],
      });
    expect(response.status).toBe(400);
    expect(response.text).toContain(`name="courseIds" value="${getPaid}" checked>`);
    expect(response.text).toContain(`name="courseIds" value="${alibaba}">`);
    expect(response.text).toMatch(/name="startsOn"[^>]*value="2026-02-01"/);
  });
});
