import { DataSource } from 'typeorm';
import { addCoauthor, createCourse, signUp } from './support/authoring';
import { lessonSlugs } from './support/learning';
import { courseIds, createCohort, createProgramme, userWithRole } from './support/programmes';
import { Browser, startTestApp, TestApp } from './support/test-app';

/**
 * Round trips to the database per page. Every web process shares one database, so these
 * counts, not only the speed of one process, decide how many learners a programme can serve.
 * Issue #12 set a warm lesson view ≤ 3 and the learner dashboard ≤ 4 whatever the number of
 * enrolments. Once warm the session (TypeormSessionStore), the learner's enrolments with their
 * progress (EnrollmentsService.learnerProgress), certificates (CertificatesService.holderCertificates)
 * and quiz attempts (QuizzesService.standings) are all read from memory, so a warm lesson, course
 * page or dashboard costs no query; the first view after the learner's progress changed costs 1
 * (read afresh, and it shows the change), and they keep that.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

function queries(response: { headers: Record<string, string> }): number {
  const value = response.headers['x-query-count'];
  if (value === undefined) throw new Error('no X-Query-Count header');
  return Number(value);
}

/** Fails with the statements the page ran, so an extra query names itself. */
function expectAtMost(response: { headers: Record<string, string> }, budget: number): void {
  const count = queries(response);
  if (count > budget) throw new Error(`${count} queries, budget ${budget}:\n${decodeURIComponent(response.headers['x-query-statements'] ?? '')}`);
}

async function learner(name: string): Promise<Browser> {
  const browser = new Browser(t.server);
  await browser.register(name, `${name.toLowerCase().replace(/\W+/g, '.')}@example.org`);
  return browser;
}

async function enrol(browser: Browser, slug: string): Promise<string[]> {
  await browser.submit(`/courses/${slug}`, `/courses/${slug}/enrol`, {});
  return lessonSlugs((await browser.get(`/courses/${slug}`)).text, slug);
}

describe('database round trips per page', () => {
  it('a warm lesson view costs no query', async () => {
    const browser = await learner('Warm Reader');
    const [first, second] = await enrol(browser, 'listings-that-sell');
    const path = `/courses/listings-that-sell/modules/${second}`;
    await browser.get(path); // records the visit (a write), warms the caches
    await browser.get(`/courses/listings-that-sell/modules/${first}`);
    const first1 = await browser.get(path); // back to it: the visit is written, the learner's progress read afresh
    await browser.get(path); // (a read that overlaps the change's own announcement is not kept)
    const warm = await browser.get(path);
    expect(first1.status).toBe(200);
    expect(warm.status).toBe(200);
    expectAtMost(warm, 0);
  });

  it('the learner dashboard costs no query once warm, with 1 enrolment or 6, and shows a new enrolment at once', async () => {
    const browser = await learner('Dash Board');
    await enrol(browser, 'listings-that-sell');
    await browser.get('/dashboard');
    const one = await browser.get('/dashboard');
    expect(one.status).toBe(200);
    expectAtMost(one, 0);
    for (const slug of ['getting-paid-safely', 'pricing-quotations-incoterms', 'shipping-export-documents', 'textile-apparel-compliance', 'alibaba-first-30-days']) {
      await enrol(browser, slug);
    }
    const afterEnrolling = await browser.get('/dashboard'); // the five new courses' outlines enter the cache
    expect(afterEnrolling.text.match(/<progress /g)).toHaveLength(6);
    const six = await browser.get('/dashboard');
    expect(six.status).toBe(200);
    expect(six.text.match(/<progress /g)).toHaveLength(6);
    expect(queries(six)).toBe(queries(one));
  });

  it('the course page of an enrolled learner costs no query once warm whatever their progress, and shows progress at once', async () => {
    const browser = await learner('Course Page');
    const slugs = await enrol(browser, 'getting-paid-safely');
    await browser.get('/courses/getting-paid-safely');
    const before = await browser.get('/courses/getting-paid-safely');
    expect(before.text).not.toContain('<strong>done</strong>');
    for (const slug of slugs.slice(0, 2)) {
      const path = `/courses/getting-paid-safely/modules/${slug}`;
      await browser.submit(path, `${path}/complete`, {});
    }
    const changed = await browser.get('/courses/getting-paid-safely');
    expect(changed.text.match(/<strong>done<\/strong>/g)).toHaveLength(2);
    const after = await browser.get('/courses/getting-paid-safely');
    expectAtMost(before, 0);
    expectAtMost(changed, 1);
    expect(queries(after)).toBe(queries(before));
  });

  it('the anonymous catalog and course page cost at most one query once warm', async () => {
    const anonymous = new Browser(t.server);
    await anonymous.get('/courses');
    await anonymous.get('/courses/listings-that-sell');
    const catalog = await anonymous.get('/courses');
    const course = await anonymous.get('/courses/listings-that-sell');
    expect(catalog.status).toBe(200);
    expect(course.status).toBe(200);
    expectAtMost(catalog, 1);
    expectAtMost(course, 1);
  });
});

describe('database round trips of the /manage pages', () => {
  interface Built {
    manager: Browser;
    programmeId: number;
    cohortId: number;
    courseId: number;
    learnerId: number;
  }

  /** A programme with `cohorts` cohorts, each teaching `courses` courses to `learners` learners. */
  async function programme(label: string, cohorts: number, courses: number, learners: number): Promise<Built> {
    const manager = await userWithRole(t, `${label} Manager`, `${label}.manager@example.pk`, 'manager');
    const programmeId = await createProgramme(manager, `${label} programme`);
    const ids = await courseIds(t, SLUGS.slice(0, courses));
    const cohortIds: number[] = [];
    for (let c = 0; c < cohorts; c++) cohortIds.push(await createCohort(manager, programmeId, `${label} cohort ${c + 1}`, ids));
    for (const cohortId of cohortIds) {
      for (let l = 0; l < learners; l++) {
        const email = `${label}.${cohortId}.${l}@example.pk`;
        await new Browser(t.server).register(`${label} learner ${l}`, email);
        const added = await manager.submit(`/manage/cohorts/${cohortId}/members`, `/manage/cohorts/${cohortId}/members`, { email });
        if (added.status !== 303) throw new Error(`adding ${email} failed with ${added.status}`);
      }
    }
    const [{ id: learnerId }] = await t.app.get(DataSource).query('SELECT user_id AS id FROM cohort_members WHERE cohort_id = ? ORDER BY user_id LIMIT 1', [cohortIds[0]]);
    return { manager, programmeId, cohortId: cohortIds[0], courseId: ids[0], learnerId: Number(learnerId) };
  }

  const SLUGS = ['listings-that-sell', 'getting-paid-safely', 'pricing-quotations-incoterms', 'shipping-export-documents'];
  const pages = (b: Built) => [
    '/manage',
    `/manage/programmes/${b.programmeId}`,
    `/manage/programmes/${b.programmeId}/settings`,
    `/manage/programmes/${b.programmeId}/courses/${b.courseId}`,
    `/manage/cohorts/${b.cohortId}`,
    `/manage/cohorts/${b.cohortId}/settings`,
    `/manage/cohorts/${b.cohortId}/members`,
    `/manage/cohorts/${b.cohortId}/learners/${b.learnerId}`,
  ];

  async function counts(b: Built): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const path of pages(b)) {
      await b.manager.get(path); // warm
      const page = await b.manager.get(path);
      expect(page.status).toBe(200);
      result[path.replace(/\d+/g, ':id')] = queries(page);
    }
    return result;
  }

  it('cost the same for a programme of 1 cohort × 1 course × 1 learner and one of 3 cohorts × 4 courses × 4 learners', async () => {
    const small = await counts(await programme('small', 1, 1, 1));
    const big = await counts(await programme('big', 3, 4, 4));
    expect(big).toEqual(small);
  });
});

describe('database round trips of the authoring pages', () => {
  it("a course's editing page costs the same with 1 author and with 5", async () => {
    const owner = await signUp(t, 'course.owner@example.org', 'trainer');
    const courseId = await createCourse(owner, { title: 'Packing cartons for sea freight' });
    const page = `/author/courses/${courseId}`;
    await owner.get(page);
    const alone = await owner.get(page);
    expect(alone.status).toBe(200);
    for (let i = 1; i <= 4; i++) {
      await signUp(t, `co.author${i}@example.org`, 'trainer');
      await addCoauthor(owner, courseId, `co.author${i}@example.org`);
    }
    await owner.get(page);
    const together = await owner.get(page);
    expect(together.text).toContain('co.author4@example.org');
    expect(queries(together)).toBe(queries(alone));
  });
});
