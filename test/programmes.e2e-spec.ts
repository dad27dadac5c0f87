import { DataSource } from 'typeorm';
import { Certificate } from '../src/certificates/certificate.entity';
import { Clock } from '../src/common/clock';
import { buildReport, ReportsService } from '../src/programmes/reports.service';
import { ALL_WEEKS, todayIso } from '../src/programmes/stats/weeks';
import { waitFor } from './support/certificates';
import { completeCourse, completeLessons, takeQuiz } from './support/learning';
import { courseIds, createCohort, createProgramme, importApplied, importRows, parseCsvDownload, PASSWORD, uploadCsv, userWithRole } from './support/programmes';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';

// A Jest project's testTimeout is not applied; the learners below take real quizzes through the pages.
jest.setTimeout(180_000);

const ALIBABA = 'alibaba-first-30-days';
const PAYMENTS = 'getting-paid-safely';
const LISTINGS = 'listings-that-sell';
const LAHORE = 'Lahore Batch 1';
const SIALKOT = 'Sialkot Batch 1';

const SECTOR_CELLS = ['textiles_apparel', 'Leather', 'sports_goods', 'Surgical instruments', 'rice_food', 'handicrafts', 'Furniture', 'it_services', 'other'];
const SECTOR_CODES = ['textiles_apparel', 'leather', 'sports_goods', 'surgical_instruments', 'rice_food', 'handicrafts', 'furniture', 'it_services', 'other'];
const PROVINCES = ['punjab', 'sindh', 'kpk', 'balochistan', 'islamabad', 'gilgit_baltistan', 'ajk'];
const CITY_CELLS = ['Lahore', '  lahore ', 'Sialkot', 'KARACHI', 'Faisalabad'];
const CITIES = ['Lahore', 'Lahore', 'Sialkot', 'Karachi', 'Faisalabad'];
const GENDERS = ['female', 'male', 'Prefer not to say', 'female', ''];
const GENDER_CODES = ['female', 'male', 'prefer_not_to_say', 'female', ''];

interface Row {
  i: number;
  name: string;
  email: string;
  cohort: string;
  sector: string;
  province: string;
  city: string;
  gender: string;
  bad?: string;
}

/** The file a programme office would send: 50 learners, three of them with a mistake. */
function learnersFile(): { csv: string; rows: Row[] } {
  const rows: Row[] = [];
  const lines = ['name,email,cohort,business_name,sector,city,province,gender,business_size,marketplaces,export_stage'];
  for (let i = 1; i <= 50; i++) {
    const row: Row = {
      i,
      name: i === 12 ? 'Zainab Bibi' : `Learner ${i}`,
      email: i === 7 ? 'learner7-at-example.pk' : `learner${i}@example.pk`,
      cohort: i === 33 ? 'Karachi Batch 9' : i % 3 === 0 ? SIALKOT : LAHORE,
      sector: SECTOR_CODES[i % 9],
      province: PROVINCES[i % 7],
      city: CITIES[i % 5],
      gender: GENDER_CODES[i % 5],
      bad: i === 7 ? 'email' : i === 19 ? 'sector' : i === 33 ? 'cohort' : undefined,
    };
    const sectorCell = i === 19 ? 'Fishing' : SECTOR_CELLS[i % 9];
    lines.push([row.name, row.email, row.cohort, `"Firm ${i}, Pvt Ltd"`, sectorCell, CITY_CELLS[i % 5], PROVINCES[i % 7], GENDERS[i % 5], 'small', 'alibaba;etsy', 'preparing'].join(','));
    rows.push(row);
  }
  return { csv: `${lines.join('\r\n')}\r\n`, rows };
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe('a programme manager enrols a cohort from CSV and reads the dashboard', () => {
  let t: TestApp;
  let manager: Browser;
  let programmeId: number;
  let lahoreId: number;
  let sialkotId: number;
  let courses: Record<string, number>;
  const file = learnersFile();
  const good = file.rows.filter((r) => !r.bad);
  const learners = new Map<number, Browser>();

  /** Course enrolments the test made, with what each learner then did. */
  const enrolments = () =>
    good.flatMap((row) =>
      (row.cohort === LAHORE ? [ALIBABA, PAYMENTS] : [ALIBABA, LISTINGS]).map((course) => ({ ...row, course, ...(progress.get(`${row.i}:${course}`) ?? {}) })),
    );
  const progress = new Map<string, { started?: boolean; halfway?: boolean; completed?: boolean }>();
  const did = (i: number, course: string, state: { started?: boolean; halfway?: boolean; completed?: boolean }) => progress.set(`${i}:${course}`, state);

  beforeAll(async () => {
    t = await startTestApp();
    manager = await userWithRole(t, 'Rabia Manager', 'rabia@tdap.example.pk', 'manager');
    const [a, p, l] = await courseIds(t, [ALIBABA, PAYMENTS, LISTINGS]);
    courses = { [ALIBABA]: a, [PAYMENTS]: p, [LISTINGS]: l };
    programmeId = await createProgramme(manager, 'E-commerce Export Programme 2026', ['sector', 'province']);
    lahoreId = await createCohort(manager, programmeId, LAHORE, [a, p]);
    sialkotId = await createCohort(manager, programmeId, SIALKOT, [a, l]);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('dry-runs the CSV: every row has an outcome, exactly the three bad rows have reasons, and nothing is written', async () => {
    const usersBefore = await t.app.get(DataSource).query('SELECT COUNT(*) AS n FROM users');
    const upload = await uploadCsv(manager, programmeId, file.csv);
    expect(upload.status).toBe(303);
    const page = await manager.get(upload.headers.location as string).expect(200);
    const rows = importRows(page.text);
    expect(rows).toHaveLength(50);
    const errors = rows.filter((r) => r.outcome === 'error');
    expect(errors.map((r) => [r.line, r.reason])).toEqual([
      [8, '“learner7-at-example.pk” is not a valid email address.'],
      [20, '“Fishing” is not an allowed value for sector.'],
      [34, 'This programme has no cohort called “Karachi Batch 9”.'],
    ]);
    expect(rows.filter((r) => r.outcome === 'created')).toHaveLength(47);
    expect(page.text).toContain('New accounts to make: 47. Existing accounts to enrol: 0. Already in their cohort: 0. Rows with problems: 3.');
    const usersAfter = await t.app.get(DataSource).query('SELECT COUNT(*) AS n FROM users');
    expect(Number(usersAfter[0].n)).toBe(Number(usersBefore[0].n));
    const [{ n: members }] = await t.app.get(DataSource).query('SELECT COUNT(*) AS n FROM cohort_members');
    expect(Number(members)).toBe(0);
  });

  it('applies it once, however often it is applied or uploaded again', async () => {
    const [{ id: importId }] = await t.app.get(DataSource).query('SELECT MAX(id) AS id FROM enrolment_imports');
    const reportPath = `/manage/programmes/${programmeId}/imports/${importId}`;
    const applied = await manager.submit(reportPath, `${reportPath}/apply`, {});
    expect(applied.status).toBe(303);
    await importApplied(t, importId);
    const page = await manager.get(reportPath).expect(200);
    expect(page.text).toContain('New accounts made: 47. Existing accounts enrolled: 0. Already in their cohort: 0. Rows not applied: 3.');
    expect(importRows(page.text).filter((r) => r.outcome === 'created')).toHaveLength(47);

    const again = await manager.agent.post(`${reportPath}/apply`).type('form').send({ _csrf: csrfFrom(page.text) });
    expect(again.status).toBe(303);
    await importApplied(t, importId);
    const reupload = await uploadCsv(manager, programmeId, file.csv);
    const second = await manager.get(reupload.headers.location as string);
    expect(importRows(second.text).filter((r) => r.outcome === 'exists')).toHaveLength(47);
    expect(second.text).toContain('Nothing in this file needs applying.');
    await manager.submit(reupload.headers.location as string, `${reupload.headers.location}/apply`, {});
    await importApplied(t, reupload.headers.location as string);

    const db = t.app.get(DataSource);
    const [{ n: accounts }] = await db.query("SELECT COUNT(*) AS n FROM users WHERE email LIKE 'learner%@example.pk'");
    const [{ n: members }] = await db.query('SELECT COUNT(*) AS n FROM cohort_members');
    const [{ n: enrolled }] = await db.query('SELECT COUNT(*) AS n FROM enrollments');
    expect([Number(accounts), Number(members), Number(enrolled)]).toEqual([47, 47, 94]);
    const [zainab] = await db.query("SELECT p.sector, p.city, p.business_name FROM learner_profiles p JOIN users u ON u.id = p.user_id WHERE u.email = 'learner12@example.pk'");
    expect(zainab).toEqual({ sector: 'surgical_instruments', city: 'Sialkot', business_name: 'Firm 12, Pvt Ltd' });
  });

  it('gives new accounts set-password links as a CSV (email is not set up), each working once', async () => {
    const [{ id: importId }] = await t.app.get(DataSource).query('SELECT MIN(id) AS id FROM enrolment_imports');
    const reportPath = `/manage/programmes/${programmeId}/imports/${importId}`;
    const page = await manager.get(reportPath);
    expect(page.text).toContain('Email is not set up on this site');
    const first = await manager.agent.post(`${reportPath}/links`).type('form').send({ _csrf: csrfFrom(page.text) });
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/csv/);
    const oldLinks = parseCsvDownload(first.text);
    expect(oldLinks).toHaveLength(47);
    const download = await manager.agent.post(`${reportPath}/links`).type('form').send({ _csrf: csrfFrom(page.text) });
    const links = new Map(parseCsvDownload(download.text).map((row) => [row.email, new URL(row.set_password_link).pathname]));
    // A fresh download replaced the first links.
    await new Browser(t.server).get(new URL(oldLinks[0].set_password_link).pathname).expect(410);

    for (const i of [1, 2, 3, 4, 5, 12]) {
      const browser = new Browser(t.server);
      const path = links.get(`learner${i}@example.pk`) as string;
      const form = await browser.get(path).expect(200);
      expect(form.text).toContain(`learner${i}@example.pk`);
      const weak = await browser.agent.post(path).type('form').send({ _csrf: csrfFrom(form.text), password: 'short' });
      expect(weak.status).toBe(400);
      const set = await browser.agent.post(path).type('form').send({ _csrf: csrfFrom(weak.text), password: PASSWORD });
      expect(set.status).toBe(303);
      expect(set.headers.location).toBe('/account/profile?welcome=1');
      const profile = await browser.get('/account/profile').expect(200);
      expect(profile.text).toContain('value="Firm ');
      learners.set(i, browser);
      await new Browser(t.server).get(path).expect(410);
    }
  });

  it('counts what the learners then do', async () => {
    const [l1, l2, l3, l4, l5] = [1, 2, 3, 4, 5].map((i) => learners.get(i) as Browser);
    await completeCourse(t, l1, ALIBABA);
    did(1, ALIBABA, { started: true, halfway: true, completed: true });
    await completeCourse(t, l2, ALIBABA);
    await completeCourse(t, l2, PAYMENTS);
    did(2, ALIBABA, { started: true, halfway: true, completed: true });
    did(2, PAYMENTS, { started: true, halfway: true, completed: true });
    await completeCourse(t, l3, LISTINGS);
    did(3, LISTINGS, { started: true, halfway: true, completed: true });
    const lesson = await l4.get(`/courses/${PAYMENTS}`);
    const first = /href="(\/courses\/getting-paid-safely\/modules\/[a-z0-9-]+)"/.exec(lesson.text)?.[1] as string;
    await l4.get(first).expect(200);
    did(4, PAYMENTS, { started: true });
    await completeLessons(l5, ALIBABA);
    await takeQuiz(t, l5, ALIBABA, 'final', 'wrong');
    did(5, ALIBABA, { started: true, halfway: true });

    const today = todayIso(new Date());
    for (const milestone of ['first_listing', 'first_inquiry']) {
      expect((await l1.submit('/outcomes', '/outcomes', { milestone, achievedOn: today, evidenceUrl: 'https://www.alibaba.com/product/123' })).status).toBe(303);
    }
    expect((await l2.submit('/outcomes', '/outcomes', { milestone: 'store_opened', achievedOn: today, evidenceUrl: '' })).status).toBe(303);
    const future = await l2.submit('/outcomes', '/outcomes', { milestone: 'first_order', achievedOn: '2099-01-01', evidenceUrl: '' });
    expect(future.status).toBe(400);
    expect(future.text).toContain('This date is in the future.');

    // The manager verifies one milestone from the learner's drill-down page.
    const [{ id: l1Id }] = await t.app.get(DataSource).query("SELECT id FROM users WHERE email = 'learner1@example.pk'");
    const drill = await manager.get(`/manage/cohorts/${lahoreId}/learners/${l1Id}`).expect(200);
    expect(drill.text).toContain('First product listed');
    expect(drill.text).toMatch(/Attempt 1: 100%/);
    const outcomeId = /action="\/outcomes\/(\d+)\/verify"/.exec(drill.text)?.[1];
    const verified = await manager.agent.post(`/outcomes/${outcomeId}/verify`).type('form').send({ _csrf: csrfFrom(drill.text), next: `/manage/cohorts/${lahoreId}/learners/${l1Id}` });
    expect(verified.status).toBe(303);

    // Certificates are issued by the worker; "certified" follows them.
    // The worker tells the counters in the transaction that issues each one: no reconciling needed.
    await waitFor('four issued certificates', async () => (await t.app.get(DataSource).getRepository(Certificate).countBy({ status: 'issued' })) === 4, 60_000);
  });

  it('shows dashboard figures and CSV exports equal to counts made independently', async () => {
    const all = enrolments();
    const enrolled = all.length;
    const started = all.filter((e) => e.started).length;
    const halfway = all.filter((e) => e.halfway).length;
    const completed = all.filter((e) => e.completed).length;
    expect([enrolled, started, halfway, completed]).toEqual([94, 6, 5, 4]);

    // The same figures straight from the learning records.
    const db = t.app.get(DataSource);
    const [fromRecords] = await db.query(
      `SELECT COUNT(*) AS enrolled, SUM(CASE WHEN e.completed_at IS NOT NULL THEN 1 ELSE 0 END) AS completed
         FROM enrollments e JOIN cohort_members m ON m.user_id = e.user_id
         JOIN cohort_courses cc ON cc.cohort_id = m.cohort_id AND cc.course_id = e.course_id WHERE m.programme_id = ?`,
      [programmeId],
    );
    expect([Number(fromRecords.enrolled), Number(fromRecords.completed)]).toEqual([enrolled, completed]);

    const page = await manager.get(`/manage/programmes/${programmeId}`).expect(200);
    for (const [label, value] of [['Course enrolments', '94'], ['Started', '6'], ['Completed', '4'], ['Certified', '4'], ['Completion rate', '4.3%'], ['Median time to complete', '0 days']]) {
      expect(page.text).toContain(`<dt>${label}</dt><dd><strong>${value}</strong></dd>`);
    }
    expect(page.text).toMatch(/<svg class="chart"[^>]*role="img" aria-labelledby="t-weekly"/);
    expect(page.text).toMatch(/<svg class="chart"[^>]*role="img" aria-labelledby="t-funnel"/);

    const csv = async (table: string, path = `/manage/programmes/${programmeId}`) => {
      const response = await manager.get(`${path}/export/${table}`).expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv/);
      return parseCsvDownload(response.text);
    };
    expect((await csv('funnel')).map((r) => [r.Stage, Number(r.Enrolments)])).toEqual([
      ['Enrolled', 94],
      ['Started', 6],
      ['Half-way', 5],
      ['Completed', 4],
      ['Certified', 4],
    ]);
    const byKey = (rows: Record<string, string>[], key: string, field = 'Enrolled') => new Map(rows.map((r) => [r[key], Number(r[field])]));
    expect(byKey(await csv('cohorts'), 'Cohort')).toEqual(new Map([[LAHORE, 2 * good.filter((r) => r.cohort === LAHORE).length], [SIALKOT, 2 * good.filter((r) => r.cohort === SIALKOT).length]]));
    const titles = new Map<number, string>((await db.query('SELECT id, title FROM courses')).map((r: { id: number; title: string }) => [Number(r.id), r.title]));
    const title = (slug: string) => titles.get(courses[slug]) as string;
    const courseRows = await csv('courses');
    expect(byKey(courseRows, 'Course')).toEqual(new Map([[title(ALIBABA), 47], [title(PAYMENTS), good.filter((r) => r.cohort === LAHORE).length], [title(LISTINGS), good.filter((r) => r.cohort === SIALKOT).length]]));
    expect(byKey(courseRows, 'Course', 'Completed')).toEqual(new Map([[title(ALIBABA), 2], [title(PAYMENTS), 1], [title(LISTINGS), 1]]));

    const labels: Record<string, string> = { textiles_apparel: 'Textiles and apparel', leather: 'Leather', sports_goods: 'Sports goods', surgical_instruments: 'Surgical instruments', rice_food: 'Rice and food', handicrafts: 'Handicrafts', furniture: 'Furniture', it_services: 'IT services', other: 'Other' };
    expect(byKey(await csv('sector'), 'Sector')).toEqual(countBy(all, (e) => labels[e.sector]));
    expect(byKey(await csv('city'), 'City')).toEqual(countBy(all, (e) => e.city));
    const genderLabel: Record<string, string> = { female: 'Female', male: 'Male', prefer_not_to_say: 'Prefer not to say', '': 'Not given' };
    expect(byKey(await csv('gender'), 'Gender')).toEqual(countBy(all, (e) => genderLabel[e.gender]));
    expect(byKey(await csv('gender'), 'Gender', 'Completed').get('Female')).toBe(all.filter((e) => e.gender === 'female' && e.completed).length);
    const provinceRows = await csv('province');
    expect(provinceRows.reduce((sum, r) => sum + Number(r.Enrolled), 0)).toBe(94);

    // Only final assessments were taken: three learners tried Alibaba's, two passed.
    const quizzes = await csv('quizzes');
    expect(new Map(quizzes.map((q) => [q.Course, [Number(q['Learners who took it']), Number(q.Passed), q['Pass rate']]]))).toEqual(
      new Map([
        [title(ALIBABA), [3, 2, '66.7']],
        [title(PAYMENTS), [1, 1, '100']],
        [title(LISTINGS), [1, 1, '100']],
      ]),
    );
    expect((await csv('outcomes')).map((r) => [r.Milestone, Number(r.Learners), Number(r.Verified)])).toEqual([
      ['Store or supplier profile opened', 1, 0],
      ['First product listed', 1, 1],
      ['First buyer inquiry', 1, 0],
      ['First export order', 0, 0],
      ['First payment received', 0, 0],
    ]);
    const weekly = await csv('weekly');
    expect(weekly).toHaveLength(1);
    expect([Number(weekly[0].Enrolled), Number(weekly[0]['Completed that week'])]).toEqual([94, 4]);

    // A cohort's own dashboard counts only its learners.
    const lahore = all.filter((e) => e.cohort === LAHORE);
    expect((await csv('funnel', `/manage/cohorts/${lahoreId}`)).map((r) => Number(r.Enrolments))).toEqual([
      lahore.length,
      lahore.filter((e) => e.started).length,
      lahore.filter((e) => e.halfway).length,
      lahore.filter((e) => e.completed).length,
      lahore.filter((e) => e.completed).length,
    ]);
    // And a course's dashboard, its enrolments across the cohorts.
    const alibaba = all.filter((e) => e.course === ALIBABA);
    const courseFunnel = await csv('funnel', `/manage/programmes/${programmeId}/courses/${courses[ALIBABA]}`);
    expect(courseFunnel.map((r) => Number(r.Enrolments))).toEqual([alibaba.length, 3, 3, 2, 2]);

    // Weeks without these enrolments show nothing.
    const old = await manager.get(`/manage/programmes/${programmeId}/export/funnel?from=2020-01-06&to=2020-03-01`).expect(200);
    expect(parseCsvDownload(old.text).map((r) => Number(r.Enrolments))).toEqual([0, 0, 0, 0, 0]);
  });

  it('keeps the stored counters equal to a recount from the learning records', async () => {
    const reports = t.app.get(ReportsService);
    const fromCounters = buildReport(await reports.counterSummary({ kind: 'programme', programmeId }, ALL_WEEKS), ALL_WEEKS, true);
    const fromRows = buildReport(await reports.rowSummary({ kind: 'programme', programmeId }, ALL_WEEKS), ALL_WEEKS, true);
    const recounted = buildReport(await reports.recount({ kind: 'programme', programmeId }, ALL_WEEKS), ALL_WEEKS, true);
    expect(fromCounters).toEqual(recounted);
    expect(fromRows).toEqual(recounted);
    expect(recounted.totals.enrolled).toBe(94);
  });

  it('lists learners at risk once they have been inactive long enough', async () => {
    const none = parseCsvDownload((await manager.get(`/manage/programmes/${programmeId}/export/at_risk?days=14`)).text);
    expect(none).toHaveLength(0);
    const clock = t.app.get(Clock);
    clock.advance(20 * 86_400_000);
    try {
      const page = await manager.get(`/manage/programmes/${programmeId}?days=14`).expect(200);
      // Everyone with a course still open: all but learner 2, who completed both of theirs.
      expect(page.text).toContain('Learners at risk: 46.');
      const rows = parseCsvDownload((await manager.get(`/manage/programmes/${programmeId}/export/at_risk?days=14`)).text);
      expect(rows).toHaveLength(46);
      expect(rows.map((r) => r.Email)).not.toContain('learner2@example.pk');
      expect(rows.find((r) => r.Email === 'learner1@example.pk')?.['Courses not completed']).toBe('1');
      expect(Number(rows[0]['Days inactive'])).toBeGreaterThanOrEqual(20);
    } finally {
      clock.advance(-20 * 86_400_000);
    }
  });

  it('shows the dashboard in Urdu with nothing left untranslated', async () => {
    // The manager switches language with the form every page carries, as a person would.
    await manager.submit('/manage', '/locale', { locale: 'ur', next: '/manage' });
    try {
      for (const path of [`/manage`, `/manage/programmes/${programmeId}`, `/manage/cohorts/${sialkotId}`, `/manage/programmes/${programmeId}/import`, `/manage/cohorts/${sialkotId}/settings`, `/manage/cohorts/${sialkotId}/members`]) {
        const page = await manager.get(path).expect(200);
        expect(page.text).toContain('<html lang="ur" dir="rtl">');
        expect(page.text).not.toMatch(/\[(?:reports|programmes|bulk|profile|outcomes|join)\.[a-z_.]+\]/);
      }
    } finally {
      await manager.submit('/manage', '/locale', { locale: 'en', next: '/manage' });
    }
  });

  it('moves "Certified" at once when a certificate is revoked, and back when its replacement is issued', async () => {
    const certified = async () => /<dt>Certified<\/dt><dd><strong>(\d+)<\/strong><\/dd>/.exec((await manager.get(`/manage/programmes/${programmeId}`).expect(200)).text)?.[1];
    expect(await certified()).toBe('4');
    const db = t.app.get(DataSource);
    const [first] = await db.getRepository(Certificate).find({ where: { status: 'issued' }, order: { id: 'ASC' }, take: 1 });
    const revoked = await manager.submit(`/manage/certificates?q=${first.serial}`, `/manage/certificates/${first.id}/revoke`, { reason: 'Completed by someone else' });
    expect(revoked.status).toBe(303);
    expect(await certified()).toBe('3');

    const reissued = await manager.submit(`/manage/certificates?q=${first.serial}`, `/manage/certificates/${first.id}/reissue`, { holderName: first.holderName, reason: 'Checked again' });
    expect(reissued.status).toBe(303);
    await waitFor('the replacement issued', async () => (await db.getRepository(Certificate).countBy({ status: 'issued' })) === 4, 60_000);
    expect(await certified()).toBe('4');
    const reports = t.app.get(ReportsService);
    expect(buildReport(await reports.counterSummary({ kind: 'programme', programmeId }, ALL_WEEKS), ALL_WEEKS, true)).toEqual(
      buildReport(await reports.recount({ kind: 'programme', programmeId }, ALL_WEEKS), ALL_WEEKS, true),
    );
  });
});
