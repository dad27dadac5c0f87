import { DataSource } from 'typeorm';
import { todayIso } from '../src/programmes/stats/weeks';
import { courseIds, createCohort, createProgramme, importApplied, uploadCsv, userWithRole } from './support/programmes';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(120_000);

interface Route {
  method: 'get' | 'post';
  path: string;
}

/** Every route the app serves under /manage, read from the router itself: a new route is covered by default. */
function manageRoutes(t: TestApp): Route[] {
  const express = t.app.getHttpAdapter().getInstance() as { router?: { stack: unknown[] }; _router?: { stack: unknown[] } };
  const stack = (express.router ?? express._router)?.stack as { route?: { path: string; methods: Record<string, boolean> } }[];
  const routes: Route[] = [];
  for (const layer of stack) {
    if (!layer.route || !layer.route.path.startsWith('/manage')) continue;
    for (const method of Object.keys(layer.route.methods)) if (method === 'get' || method === 'post') routes.push({ method, path: layer.route.path });
  }
  return routes;
}

describe('who may use /manage', () => {
  let t: TestApp;
  let owner: Browser;
  let programmeId: number;
  let cohortId: number;
  let otherCohortId: number;
  let courseId: number;
  let importId: number;
  let learnerId: number;
  let routes: Route[];

  const fill = (path: string) =>
    path
      .replace(/^\/manage\/programmes\/:id/, `/manage/programmes/${programmeId}`)
      .replace(/^\/manage\/cohorts\/:id/, `/manage/cohorts/${cohortId}`)
      .replace(':courseId', String(courseId))
      .replace(':importId', String(importId))
      .replace(':userId', String(learnerId))
      .replace(':table', 'funnel');

  beforeAll(async () => {
    t = await startTestApp();
    owner = await userWithRole(t, 'Owner Manager', 'owner@example.pk', 'manager');
    programmeId = await createProgramme(owner, 'Karachi Handicrafts Programme');
    [courseId] = await courseIds(t, ['alibaba-first-30-days']);
    cohortId = await createCohort(owner, programmeId, 'Clifton', [courseId]);
    otherCohortId = await createCohort(owner, programmeId, 'Korangi', [courseId]);
    const upload = await uploadCsv(owner, programmeId, 'name,email,cohort\r\nNaila Shah,naila@example.pk,Clifton\r\n');
    importId = Number(/imports\/(\d+)/.exec(upload.headers.location as string)?.[1]);
    await owner.submit(upload.headers.location as string, `${upload.headers.location}/apply`, {});
    await importApplied(t, importId);
    learnerId = Number((await t.app.get(DataSource).query("SELECT id FROM users WHERE email = 'naila@example.pk'"))[0].id);
    routes = manageRoutes(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('finds the dashboards, exports, settings and import routes to check', () => {
    const paths = routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    for (const expected of [
      'GET /manage',
      'GET /manage/programmes/:id',
      'GET /manage/programmes/:id/export/:table',
      'GET /manage/cohorts/:id',
      'GET /manage/cohorts/:id/learners/:userId',
      'POST /manage/programmes/:id/import',
      'POST /manage/programmes/:id/imports/:importId/apply',
    ]) {
      expect(paths).toContain(expected);
    }
    expect(routes.length).toBeGreaterThan(25);
  });

  it.each(['learner', 'trainer'] as const)('refuses a %s on every /manage route (403)', async (role) => {
    const browser = await userWithRole(t, `A ${role}`, `${role}@example.pk`, role);
    const token = csrfFrom((await browser.get('/account')).text);
    const refused: string[] = [];
    for (const route of routes) {
      const path = fill(route.path);
      const response =
        route.method === 'get'
          ? await browser.get(path).set('Accept', 'application/json')
          : await browser.agent.post(path).set('Accept', 'application/json').type('form').send({ _csrf: token, name: 'x', email: 'x@example.pk' });
      if (response.status === 403 && response.body.error === 'errors.forbidden') refused.push(`${route.method} ${path}`);
      else throw new Error(`${role} got ${response.status} ${JSON.stringify(response.body).slice(0, 200)} on ${route.method.toUpperCase()} ${path}`);
    }
    expect(refused).toHaveLength(routes.length);
    // And nothing changed behind the refusals.
    const [{ n }] = await t.app.get(DataSource).query('SELECT COUNT(*) AS n FROM programmes');
    expect(Number(n)).toBe(1);
  });

  it('sends an anonymous visitor to sign in', async () => {
    const anonymous = new Browser(t.server);
    const page = await anonymous.get(`/manage/programmes/${programmeId}`);
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe(`/login?next=%2Fmanage%2Fprogrammes%2F${programmeId}`);
  });

  it("keeps another programme's manager out of this programme, its cohorts, learners and exports", async () => {
    const stranger = await userWithRole(t, 'Stranger Manager', 'stranger@example.pk', 'manager');
    const own = await createProgramme(stranger, 'Faisalabad Textiles');
    const overview = await stranger.get('/manage').expect(200);
    expect(overview.text).toContain('Faisalabad Textiles');
    expect(overview.text).not.toContain('Karachi Handicrafts Programme');
    const token = csrfFrom(overview.text);
    for (const route of routes.filter((r) => /^\/manage\/(programmes|cohorts)\/:id/.test(r.path))) {
      const path = fill(route.path);
      const response =
        route.method === 'get' ? await stranger.get(path) : await stranger.agent.post(path).type('form').send({ _csrf: token, email: 'stranger@example.pk', name: 'x' });
      if (response.status !== 403) throw new Error(`another programme's manager got ${response.status} on ${route.method.toUpperCase()} ${path}`);
    }
    await stranger.get(`/manage/programmes/${own}`).expect(200);
  });

  it('lets a cohort manager see that cohort only, and not change its courses', async () => {
    const coordinator = await userWithRole(t, 'Cohort Coordinator', 'coordinator@example.pk', 'manager');
    const added = await owner.submit(`/manage/cohorts/${cohortId}/settings`, `/manage/cohorts/${cohortId}/managers`, { email: 'coordinator@example.pk' });
    expect(added.status).toBe(303);
    const overview = await coordinator.get('/manage').expect(200);
    expect(overview.text).toContain(`href="/manage/cohorts/${cohortId}"`);
    expect(overview.text).not.toContain(`href="/manage/cohorts/${otherCohortId}"`);
    await coordinator.get(`/manage/cohorts/${cohortId}`).expect(200);
    await coordinator.get(`/manage/cohorts/${cohortId}/export/sector`).expect(200);
    await coordinator.get(`/manage/cohorts/${cohortId}/learners/${learnerId}`).expect(200);
    await coordinator.get(`/manage/cohorts/${otherCohortId}`).expect(403);
    await coordinator.get(`/manage/programmes/${programmeId}`).expect(403);
    await coordinator.get(`/manage/programmes/${programmeId}/import`).expect(403);
    const token = csrfFrom(overview.text);
    const removeCourse = await coordinator.agent.post(`/manage/cohorts/${cohortId}/courses/${courseId}/remove`).type('form').send({ _csrf: token });
    expect(removeCourse.status).toBe(403);
  });

  it('lets an admin see every programme', async () => {
    const admin = await userWithRole(t, 'Site Admin', 'admin@example.pk', 'admin');
    const overview = await admin.get('/manage').expect(200);
    expect(overview.text).toContain('Karachi Handicrafts Programme');
    await admin.get(`/manage/programmes/${programmeId}`).expect(200);
    await admin.get(`/manage/cohorts/${otherCohortId}/settings`).expect(200);
  });

  it('lets trainers and the learner\'s managers verify outcomes, and nobody else', async () => {
    const naila = new Browser(t.server);
    const links = await owner.agent.post(`/manage/programmes/${programmeId}/imports/${importId}/links`).type('form').send({ _csrf: csrfFrom((await owner.get('/manage')).text) });
    const link = new URL(/https?:\/\/[^,\r\n]+\/set-password\/[^,\r\n]+/.exec(links.text)?.[0] as string).pathname;
    await naila.submit(link, link, { password: 'a long enough passphrase' });
    expect((await naila.submit('/outcomes', '/outcomes', { milestone: 'first_order', achievedOn: todayIso(new Date()), evidenceUrl: '' })).status).toBe(303);
    const [{ id }] = await t.app.get(DataSource).query('SELECT id FROM export_outcomes');

    const otherLearner = await userWithRole(t, 'Other Learner', 'other-learner@example.pk', 'learner');
    const stranger = new Browser(t.server);
    await stranger.login('stranger@example.pk');
    for (const browser of [naila, otherLearner, stranger]) {
      const response = await browser.agent.post(`/outcomes/${id}/verify`).type('form').send({ _csrf: csrfFrom((await browser.get('/account')).text) });
      expect(response.status).toBe(403);
    }
    const trainer = new Browser(t.server);
    await trainer.login('trainer@example.pk');
    const queue = await trainer.get('/outcomes/review').expect(200);
    expect(queue.text).toContain('Naila Shah');
    const verified = await trainer.agent.post(`/outcomes/${id}/verify`).type('form').send({ _csrf: csrfFrom(queue.text) });
    expect(verified.status).toBe(303);
    const [{ verified_by }] = await t.app.get(DataSource).query('SELECT verified_by FROM export_outcomes');
    expect(verified_by).not.toBeNull();
  });
});
