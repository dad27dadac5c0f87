import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { seedOpenEnrolments } from '../src/bench/seed-enrolments';
import { CourseRefreshRun } from '../src/enrollments/course-refresh-run.entity';
import { CourseRefreshService } from '../src/enrollments/course-refresh.service';
import { EnrollmentsService } from '../src/enrollments/enrollments.service';
import { BACKGROUND_QUEUE } from '../src/queues/background.queue';
import { addLesson, createCourse, emptyContentDir, publish, saveLesson, signUp } from './support/authoring';
import { waitFor } from './support/certificates';
import { Browser, startTestApp, TestApp } from './support/test-app';

jest.setTimeout(120_000);

const LEARNERS = 120;
const CHUNK = 25;

describe('after a publish the worker refreshes every open enrolment in chunks', () => {
  let t: TestApp;
  let db: DataSource;
  let queue: Queue;
  let trainer: Browser;
  let courseId: number;
  let enrolmentIds: number[];

  beforeAll(async () => {
    t = await startTestApp({ CONTENT_DIR: emptyContentDir(), BACKGROUND_CHUNK_SIZE: String(CHUNK) });
    db = t.app.get(DataSource);
    queue = t.app.get<Queue>(getQueueToken(BACKGROUND_QUEUE));
    trainer = await signUp(t, 'nadia@trainers.pk', 'trainer');
    courseId = await createCourse(trainer, { title: 'Shipping by sea', slug: 'shipping-by-sea' });
    for (const title of ['Incoterms', 'Containers']) await lessonWithBody(title);
    expect((await publish(trainer, courseId)).status).toBe(303);
    await waitForLatestRun();
    // 120 learners who have done the first of the two lessons, their progress still at 0.
    const [{ id: first }] = await db.query('SELECT id FROM course_modules WHERE course_id = ? ORDER BY position, id LIMIT 1', [courseId]);
    enrolmentIds = await seedOpenEnrolments(db, courseId, LEARNERS, { label: 'sea', completedModuleIds: [first] });
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await queue?.resume();
    await t?.close();
  });

  async function lessonWithBody(title: string): Promise<void> {
    const slug = await addLesson(trainer, courseId, title);
    expect((await saveLesson(trainer, courseId, slug, { minutes: '10', bodyMarkdown: `All about ${title}.` })).status).toBe(303);
  }

  const latestRun = () => db.getRepository(CourseRefreshRun).findOneOrFail({ where: { courseId }, order: { id: 'DESC' } });
  const waitForLatestRun = () => waitFor('the refresh run to finish', async () => ((await latestRun()).status === 'done' ? latestRun() : null), 60_000);
  const progressCounts = async () =>
    Object.fromEntries(
      (await db.query('SELECT progress_percent AS p, COUNT(*) AS n FROM enrollments WHERE course_id = ? GROUP BY progress_percent', [courseId])).map(
        (row: { p: number | string; n: number | string }) => [Number(row.p), Number(row.n)],
      ),
    );

  it('returns from the publish at once; the trainer follows the run to its end; every learner is refreshed once', async () => {
    // The worker is held back, so what the publish itself did is all there is to see.
    await queue.pause();
    await lessonWithBody('Bills of lading');
    const published = await publish(trainer, courseId);
    expect(published.status).toBe(303);
    expect(published.headers.location).toBe(`/author/courses/${courseId}?done=published`);
    expect(await latestRun()).toMatchObject({ status: 'waiting', total: LEARNERS, done: 0, cursor: 0, lastEnrollmentId: enrolmentIds.at(-1) });
    expect(await progressCounts()).toEqual({ 0: LEARNERS });
    const page = await trainer.get(`/author/courses/${courseId}?done=published`).expect(200);
    expect(page.text).toContain('Updating progress for 120 learners: 0 %');
    expect(page.text).toContain(`<a href="/author/courses/${courseId}#refresh-run">Refresh this page</a>`);

    await queue.resume();
    const run = await waitForLatestRun();
    expect(run).toMatchObject({ total: LEARNERS, done: LEARNERS, cursor: enrolmentIds.at(-1), error: null });
    expect(run.finishedAt).not.toBeNull();
    expect(await progressCounts()).toEqual({ 33: LEARNERS }); // 1 of 3 lessons
    const after = await trainer.get(`/author/courses/${courseId}`).expect(200);
    expect(after.text).toContain('Progress of 120 learners updated to the live version.');
    expect(after.text).not.toContain('Refresh this page');
  });

  it('goes on from its cursor after a worker stopped mid-way and after a chunk that failed, counting nobody twice', async () => {
    const enrollments = t.app.get(EnrollmentsService);
    const original = enrollments.applyCompletionRuleToMany.bind(enrollments);
    const calls = new Map<number, number>();
    const failOn = enrolmentIds[2 * CHUNK + 10]; // inside the third chunk
    let failed = false;
    jest.spyOn(enrollments, 'applyCompletionRuleToMany').mockImplementation(async (manager, ids, now) => {
      for (const id of ids) calls.set(id, (calls.get(id) ?? 0) + 1);
      if (ids.includes(failOn) && !failed) {
        failed = true;
        throw new Error('the database went away for a moment');
      }
      return original(manager, ids, now);
    });

    await queue.pause();
    await lessonWithBody('Marine insurance');
    expect((await publish(trainer, courseId)).status).toBe(303);
    const started = await latestRun();
    // A worker commits one chunk and dies before the next.
    expect(await t.app.get(CourseRefreshService).processChunk(started.id)).toBe('running');
    expect(await latestRun()).toMatchObject({ status: 'running', done: CHUNK, cursor: enrolmentIds[CHUNK - 1] });

    await queue.resume();
    const run = await waitForLatestRun();
    expect(failed).toBe(true);
    expect(run).toMatchObject({ total: LEARNERS, done: LEARNERS, cursor: enrolmentIds.at(-1) });
    expect(await progressCounts()).toEqual({ 25: LEARNERS }); // 1 of 4 lessons
    // Only the chunk that rolled back was gone through again; every committed chunk once.
    const thirdChunk = enrolmentIds.slice(2 * CHUNK, 3 * CHUNK);
    for (const id of enrolmentIds) {
      const again = thirdChunk.includes(id);
      expect([id, calls.get(id)]).toEqual([id, again ? 2 : 1]);
    }
  });
});
