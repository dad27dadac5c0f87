import { DataSource } from 'typeorm';
import { QuizAttempt } from '../src/quizzes/entities/quiz-attempt.entity';
import { UsersService } from '../src/users/users.service';
import { XapiOutbox } from '../src/xapi/xapi-outbox.entity';
import { waitFor } from './support/certificates';
import { completeLessons, lessonSlugs, takeQuiz } from './support/learning';
import { LrsStandIn, StoredStatement } from './support/lrs-stand-in';
import { Browser, setRole, startTestApp, TestApp } from './support/test-app';

const COURSE = 'alibaba-first-30-days';
const BASE_URL = 'https://learn.example.pk';
const ADL = 'http://adlnet.gov/expapi/verbs/';

let t: TestApp;
let lrs: LrsStandIn;

beforeAll(async () => {
  lrs = await LrsStandIn.start();
  t = await startTestApp({
    BASE_URL,
    // supertest speaks plain HTTP to the app; the https base URL is only what statements name.
    COOKIE_SECURE: 'false',
    XAPI_ENDPOINT: lrs.endpoint,
    XAPI_USERNAME: lrs.credentials.username,
    XAPI_PASSWORD: lrs.credentials.password,
    // Retries of a statement at most a second apart, so a test need not wait minutes for the LRS to come back.
    XAPI_RETRY_MAX_SECONDS: '1',
  });
});

afterAll(async () => {
  await t?.close();
  await lrs?.stop();
});

async function userId(email: string): Promise<number> {
  const user = await t.app.get(UsersService).findByEmail(email);
  if (!user) throw new Error(`no account ${email}`);
  return user.id;
}

/** The outbox rows of one learner, in the order they were written. */
async function rowsOf(id: number): Promise<XapiOutbox[]> {
  const rows = await t.app
    .get(DataSource)
    .getRepository(XapiOutbox)
    .find({ order: { id: 'ASC' } });
  return rows.filter(
    (row) =>
      (JSON.parse(row.statement) as { actor: { account?: { name: string } } }).actor.account?.name ===
      String(id),
  );
}

function storedFor(id: number): StoredStatement[] {
  return lrs.stored.filter(
    (s) => (s.statement.actor as { account?: { name: string } }).account?.name === String(id),
  );
}

/** Registers, enrols, reads every lesson, passes the final quiz; waits for the worker to issue the certificate. */
async function journey(name: string, email: string): Promise<{ id: number; lessons: string[] }> {
  const browser = new Browser(t.server);
  await browser.register(name, email);
  await completeLessons(browser, COURSE);
  const lessons = lessonSlugs((await browser.get(`/courses/${COURSE}`)).text, COURSE);
  const { result } = await takeQuiz(t, browser, COURSE, 'final', 'correct');
  expect(result.text).toContain('You have completed the course.');
  const id = await userId(email);
  // The worker's certificate job writes the last statement.
  await waitFor(
    `the earned statement of ${email}`,
    async () => (await rowsOf(id)).some((row) => row.verb === 'earned'),
    30_000,
  );
  return { id, lessons };
}

/** The questions drawn for the learner's (only) attempt, in the order shown. */
async function drawnQuestions(id: number): Promise<number[]> {
  const [attempt] = await t.app.get(DataSource).getRepository(QuizAttempt).findBy({ userId: id });
  return attempt.drawn.map((d) => d.questionId);
}

function expectedJourney(lessons: string[], questions: number[], serial: string): [string, string][] {
  const course = `${BASE_URL}/courses/${COURSE}`;
  return [
    [`${ADL}registered`, course],
    ...lessons.map((slug): [string, string] => [`${ADL}experienced`, `${course}/modules/${slug}`]),
    [`${ADL}attempted`, `${course}/quizzes/final`],
    ...questions.map((q): [string, string] => [`${ADL}answered`, `${course}/quizzes/final/questions/${q}`]),
    [`${ADL}passed`, `${course}/quizzes/final`],
    [`${ADL}completed`, course],
    ['http://id.tincanapi.com/verb/earned', `${BASE_URL}/verify/${serial}`],
  ];
}

async function serialOf(id: number): Promise<string> {
  const [row] = await t.app.get(DataSource).query('SELECT serial FROM certificates WHERE user_id = ?', [id]);
  return String(row.serial);
}

function allDelivered(id: number) {
  return waitFor(
    `every statement of learner ${id} delivered`,
    async () => {
      const rows = await rowsOf(id);
      return rows.length > 0 && rows.every((row) => row.state === 'delivered') && rows;
    },
    30_000,
  );
}

describe('xAPI statements to a learning record store', () => {
  it("sends a learner's journey, in order, as valid xAPI 1.0.3 statements", async () => {
    const { id, lessons } = await journey('Sana Iqbal', 'sana.xapi@example.pk');
    expect(lessons.length).toBeGreaterThanOrEqual(4);
    const rows = await allDelivered(id);
    const stored = storedFor(id);
    const questions = await drawnQuestions(id);
    expect(questions.length).toBeGreaterThan(0);
    expect(stored.map((s) => [s.verb, s.object])).toEqual(
      expectedJourney(lessons, questions, await serialOf(id)),
    );
    expect(lrs.invalid).toEqual([]);
    // Stored as written: the ids the outbox gave them at the learner's event.
    expect(stored.map((s) => s.id)).toEqual(rows.map((row) => row.statementId));

    for (const { statement } of stored) {
      expect(statement.actor).toEqual({
        objectType: 'Agent',
        account: { homePage: BASE_URL, name: String(id) },
      });
      expect(
        (statement.object as { definition: { name: Record<string, string> } }).definition.name['en-US'],
      ).toEqual(expect.any(String));
      expect((statement.verb as { display: Record<string, string> }).display).toEqual({
        'en-US': expect.any(String),
        'ur-PK': expect.any(String),
      });
      expect(Date.parse(String(statement.timestamp))).not.toBeNaN();
    }
    const course = stored[0].statement.object as {
      definition: { name: Record<string, string>; description: Record<string, string>; type: string };
    };
    expect(course.definition.type).toBe('http://adlnet.gov/expapi/activities/course');
    expect(course.definition.description['en-US']).toEqual(expect.any(String));
    const passed = stored.find((s) => s.verb === `${ADL}passed`)?.statement;
    expect(passed?.result).toEqual({
      score: { scaled: 1, raw: 100, min: 0, max: 100 },
      success: true,
      completion: true,
    });
    expect(passed?.context).toMatchObject({
      language: 'en-US',
      contextActivities: { parent: [{ id: `${BASE_URL}/courses/${COURSE}` }] },
    });
    for (const answered of stored.filter((s) => s.verb === `${ADL}answered`)) {
      expect(answered.statement.result).toMatchObject({ success: true });
      expect(answered.statement.object).toMatchObject({
        definition: {
          type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
          interactionType: expect.any(String),
        },
      });
      expect(answered.statement.context).toMatchObject({
        contextActivities: { parent: [{ id: `${BASE_URL}/courses/${COURSE}/quizzes/final` }] },
      });
    }
  });

  it('keeps every statement while the LRS is down and delivers each exactly once when it is back, even after a half-taken batch', async () => {
    await lrs.setDown('refused');
    const { id, lessons } = await journey('Omar Farooq', 'omar.xapi@example.pk');
    const waiting = await rowsOf(id);
    expect(waiting.length).toBe(lessons.length + 5 + (await drawnQuestions(id)).length);
    expect(waiting.every((row) => row.state === 'pending')).toBe(true);
    // It has been tried and the reason is kept for the admin page.
    await waitFor('a failed try recorded', async () =>
      (await rowsOf(id)).some((row) => row.attempts > 0 && /no answer/.test(row.lastError ?? '')),
    );
    expect(storedFor(id)).toEqual([]);

    // The LRS comes back, takes the first half of a batch and loses its answer (the statements
    // of the quiz's submission are always written, and so queued, together); like
    // some LRSs it then answers 409 to any batch holding an id it has.
    lrs.takeHalfOfNextBatch();
    lrs.conflictOnAnyKnownId = true;
    try {
      await lrs.setDown('no');
      await allDelivered(id);
    } finally {
      lrs.conflictOnAnyKnownId = false;
    }
    const stored = storedFor(id);
    expect(new Set(stored.map((s) => s.id)).size).toBe(stored.length);
    expect(new Set(stored.map((s) => `${s.verb} ${s.object}`)).size).toBe(stored.length);
    expect(stored.map((s) => s.id).sort()).toEqual(waiting.map((row) => row.statementId).sort());
    const ours = (r: { ids: string[] }) =>
      r.ids.some((sid) => waiting.some((row) => row.statementId === sid));
    expect(
      lrs.requests.some((r) => r.method === 'POST' && r.status === 503 && r.ids.length >= 2 && ours(r)),
    ).toBe(true);
    // The resent batch was refused for its known ids, and sent again one statement at a time.
    expect(lrs.requests.some((r) => r.method === 'POST' && r.status === 409 && ours(r))).toBe(true);
    expect(lrs.requests.some((r) => r.method === 'PUT' && r.status === 204 && ours(r))).toBe(true);
    expect(lrs.invalid).toEqual([]);
  });

  it('counts a 409 Conflict (the id is already stored) as delivered, and shows a refused statement to admins', async () => {
    await lrs.setDown('503');
    const browser = new Browser(t.server);
    await browser.register('Hina Shah', 'hina.xapi@example.pk');
    await browser.submit(`/courses/${COURSE}`, `/courses/${COURSE}/enrol`, {});
    await browser.submit('/courses/getting-paid-safely', '/courses/getting-paid-safely/enrol', {});
    const id = await userId('hina.xapi@example.pk');
    const [conflicting, refused] = await rowsOf(id);
    expect([conflicting.verb, refused.verb]).toEqual(['registered', 'registered']);
    // Another system stored a different statement under the first id; the LRS finds the second wrong.
    lrs.preload({ ...JSON.parse(conflicting.statement), timestamp: '2020-01-01T00:00:00.000Z' });
    lrs.refuse.add(refused.statementId);
    await lrs.setDown('no');

    const settled = await waitFor('both statements settled', async () => {
      const rows = await rowsOf(id);
      return rows.every((row) => row.state !== 'pending') && rows;
    });
    expect(settled.map((row) => [row.statementId, row.state])).toEqual([
      [conflicting.statementId, 'delivered'],
      [refused.statementId, 'failed'],
    ]);
    expect(settled[1].lastError).toMatch(/^HTTP 400/);
    expect(lrs.requests).toContainEqual({ method: 'PUT', ids: [conflicting.statementId], status: 409 });

    const admin = new Browser(t.server);
    await admin.register('Xapi Admin', 'admin.xapi@example.pk');
    await setRole(t, 'admin.xapi@example.pk', 'admin');
    const page = await admin.get('/admin/xapi').expect(200);
    expect(page.text).toMatch(/id="xapi-failed">1</);
    expect(page.text).toContain(refused.statementId);
    expect(page.text).toContain('HTTP 400');
    await browser.get('/admin/xapi').expect(403);
  });
});
