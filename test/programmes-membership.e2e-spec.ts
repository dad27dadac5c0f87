import { DataSource } from 'typeorm';
import { buildReport, ReportsService } from '../src/programmes/reports.service';
import { ALL_WEEKS } from '../src/programmes/stats/weeks';
import { waitFor } from './support/certificates';
import { completeCourse } from './support/learning';
import { courseIds, createCohort, createProgramme, parseCsvDownload, userWithRole } from './support/programmes';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(120_000);

const ALIBABA = 'alibaba-first-30-days';
const LISTINGS = 'listings-that-sell';

describe('learners join cohorts by link or by a manager, and the counters follow every change', () => {
  let t: TestApp;
  let manager: Browser;
  let programmeId: number;
  let cohortId: number;
  let code: string;
  let listingsId: number;

  /**
   * The stored counters, the cohort enrolment rows and a recount from the learning records agree.
   * Certificates are issued by the worker a moment after a completion: wait for it. The
   * counters move in the same transaction that issues it (no reconciler, nothing to catch up).
   */
  async function expectCountersExact() {
    await waitFor('no certificate still pending', async () => Number((await t.app.get(DataSource).query("SELECT COUNT(*) AS n FROM certificates WHERE status = 'pending'"))[0].n) === 0, 30_000);
    const reports = t.app.get(ReportsService);
    const recounted = buildReport(await reports.recount({ kind: 'programme', programmeId }, ALL_WEEKS), ALL_WEEKS, true);
    expect(buildReport(await reports.counterSummary({ kind: 'programme', programmeId }, ALL_WEEKS), ALL_WEEKS, true)).toEqual(recounted);
    expect(buildReport(await reports.rowSummary({ kind: 'programme', programmeId }, ALL_WEEKS), ALL_WEEKS, true)).toEqual(recounted);
    const cohort = { kind: 'cohort' as const, programmeId, cohortId };
    expect(buildReport(await reports.counterSummary(cohort, ALL_WEEKS), ALL_WEEKS, true)).toEqual(buildReport(await reports.recount(cohort, ALL_WEEKS), ALL_WEEKS, true));
    const course = { kind: 'course' as const, programmeId, courseId: listingsId };
    expect(buildReport(await reports.counterSummary(course, ALL_WEEKS), ALL_WEEKS, false)).toEqual(buildReport(await reports.recount(course, ALL_WEEKS), ALL_WEEKS, false));
    return recounted;
  }

  beforeAll(async () => {
    t = await startTestApp();
    manager = await userWithRole(t, 'Saima Manager', 'saima@example.pk', 'manager');
    programmeId = await createProgramme(manager, 'Women in E-commerce', ['sector', 'gender']);
    const [alibaba, listings] = await courseIds(t, [ALIBABA, LISTINGS]);
    listingsId = listings;
    cohortId = await createCohort(manager, programmeId, 'Peshawar Spring', [alibaba]);
    const settings = await manager.get(`/manage/cohorts/${cohortId}/settings`);
    code = /\/join\/([A-Z0-9]+)/.exec(settings.text)?.[1] as string;
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('takes a visitor from the enrolment link through sign-up and the required profile into the cohort', async () => {
    const visitor = new Browser(t.server);
    const landing = await visitor.get(`/join/${code.toLowerCase()}`).expect(200);
    expect(landing.text).toContain('Join Peshawar Spring');
    expect(landing.text).toContain(`href="/register?next=%2Fjoin%2F${code}"`);
    const registered = await visitor.submit(`/register?next=/join/${code}`, '/register', { name: 'Gul Bano', email: 'gul@example.pk', password: 'a long enough passphrase', locale: 'en', next: `/join/${code}` });
    expect(registered.headers.location).toBe(`/join/${code}`);

    const form = await visitor.get(`/join/${code}`).expect(200);
    const missing = await visitor.agent.post(`/join/${code}`).type('form').send({ _csrf: csrfFrom(form.text), businessName: 'Gul Crafts' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('id="f-sector-error"');
    expect(missing.text).toContain('value="Gul Crafts"');
    const joined = await visitor.agent
      .post(`/join/${code}`)
      .type('form')
      .send({ _csrf: csrfFrom(missing.text), businessName: 'Gul Crafts', sector: 'handicrafts', gender: 'female', city: 'peshawar', province: 'kpk', marketplaces: ['etsy', 'daraz'] });
    expect(joined.status).toBe(303);
    expect((await visitor.get('/dashboard')).text).toContain(`/courses/${ALIBABA}`);
    const again = await visitor.get(`/join/${code}`);
    expect(again.text).toContain('You are in this cohort.');
    const report = await expectCountersExact();
    expect(report.totals.enrolled).toBe(1);
    expect(report.breakdowns.city).toEqual([expect.objectContaining({ value: 'Peshawar', enrolled: 1 })]);
  });

  it('adds an existing learner by email, once, and refuses someone already in another cohort of the programme', async () => {
    await userWithRole(t, 'Hira Khan', 'hira@example.pk', 'learner');
    const added = await manager.submit(`/manage/cohorts/${cohortId}/members`, `/manage/cohorts/${cohortId}/members`, { email: 'HIRA@example.pk' });
    expect(added.headers.location).toBe(`/manage/cohorts/${cohortId}/members?added=1`);
    const twice = await manager.submit(`/manage/cohorts/${cohortId}/members`, `/manage/cohorts/${cohortId}/members`, { email: 'hira@example.pk' });
    expect(twice.headers.location).toBe(`/manage/cohorts/${cohortId}/members?added=0`);
    const unknown = await manager.submit(`/manage/cohorts/${cohortId}/members`, `/manage/cohorts/${cohortId}/members`, { email: 'nobody@example.pk' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('No account uses this email.');

    const [alibaba] = await courseIds(t, [ALIBABA]);
    const second = await createCohort(manager, programmeId, 'Peshawar Autumn', [alibaba]);
    const elsewhere = await manager.submit(`/manage/cohorts/${second}/members`, `/manage/cohorts/${second}/members`, { email: 'hira@example.pk' });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.text).toContain('already in another cohort of this programme');
    const members = parseCsvDownload((await manager.get(`/manage/cohorts/${cohortId}/members/export`)).text);
    expect(members.map((m) => [m.Email, m['Joined by']]).sort()).toEqual([
      ['gul@example.pk', 'Enrolment link'],
      ['hira@example.pk', 'Added by a manager'],
    ]);
    expect((await expectCountersExact()).totals.enrolled).toBe(2);
  });

  it('moves the breakdowns when a learner corrects their profile, and counts progress and outcomes', async () => {
    const gul = new Browser(t.server);
    await gul.login('gul@example.pk');
    const page = await gul.get('/account/profile').expect(200);
    expect(page.text).toContain('value="Gul Crafts"');
    const blanked = await gul.agent.post('/account/profile').type('form').send({ _csrf: csrfFrom(page.text), sector: '', gender: 'female' });
    expect(blanked.status).toBe(400);
    expect(blanked.text).toContain('id="f-sector-error"');
    const saved = await gul.agent
      .post('/account/profile')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), businessName: 'Gul Crafts', sector: 'textiles_apparel', gender: 'female', city: 'Mardan', province: 'kpk' });
    expect(saved.status).toBe(303);
    await completeCourse(t, gul, ALIBABA);
    await gul.submit('/outcomes', '/outcomes', { milestone: 'store_opened', achievedOn: '2026-01-15', evidenceUrl: 'https://example.com/store' });
    const report = await expectCountersExact();
    expect(report.breakdowns.sector.map((r) => [r.value, r.enrolled, r.completed]).sort()).toEqual([
      ['', 1, 0],
      ['textiles_apparel', 1, 1],
    ]);
    expect(report.breakdowns.city.map((c) => c.value).sort()).toEqual(['', 'Mardan']);
    expect(report.totals.completed).toBe(1);
    expect(report.outcomes?.find((o) => o.milestone === 'store_opened')?.recorded).toBe(1);
  });

  it('enrols every member when a course is added, and stops counting a course or a member taken out', async () => {
    const added = await manager.submit(`/manage/cohorts/${cohortId}/settings`, `/manage/cohorts/${cohortId}/courses`, { courseId: String(listingsId) });
    expect(added.status).toBe(303);
    let report = await expectCountersExact();
    expect(report.totals.enrolled).toBe(4);
    const [{ n }] = await t.app.get(DataSource).query('SELECT COUNT(*) AS n FROM enrollments WHERE course_id = ?', [listingsId]);
    expect(Number(n)).toBe(2);

    const removed = await manager.submit(`/manage/cohorts/${cohortId}/settings`, `/manage/cohorts/${cohortId}/courses/${listingsId}/remove`, {});
    expect(removed.status).toBe(303);
    report = await expectCountersExact();
    expect(report.totals.enrolled).toBe(2);

    const [{ id: hira }] = await t.app.get(DataSource).query("SELECT id FROM users WHERE email = 'hira@example.pk'");
    const out = await manager.submit(`/manage/cohorts/${cohortId}/members`, `/manage/cohorts/${cohortId}/members/${hira}/remove`, {});
    expect(out.headers.location).toBe(`/manage/cohorts/${cohortId}/members?removed=1`);
    report = await expectCountersExact();
    expect(report.totals.enrolled).toBe(1);
    // Her enrolments (the cohort's course, and the one taken out of it) are still hers.
    const [{ n: kept }] = await t.app.get(DataSource).query('SELECT COUNT(*) AS n FROM enrollments WHERE user_id = ?', [hira]);
    expect(Number(kept)).toBe(2);
  });

  it('turns the enrolment link off and back on with a new code', async () => {
    await manager.submit(`/manage/cohorts/${cohortId}/settings`, `/manage/cohorts/${cohortId}/code`, { enabled: '0' });
    await new Browser(t.server).get(`/join/${code}`).expect(404);
    await manager.submit(`/manage/cohorts/${cohortId}/settings`, `/manage/cohorts/${cohortId}/code`, { enabled: '1' });
    const settings = await manager.get(`/manage/cohorts/${cohortId}/settings`);
    const fresh = /\/join\/([A-Z0-9]+)/.exec(settings.text)?.[1] as string;
    expect(fresh).not.toBe(code);
    await new Browser(t.server).get(`/join/${fresh}`).expect(200);
  });
});
