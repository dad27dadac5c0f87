import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { startWorker } from '../src/main';
import { SCHEDULED_QUEUE, SCHEDULES } from '../src/queues/background.queue';
import { QuizAttempt } from '../src/quizzes/entities/quiz-attempt.entity';
import { waitFor } from './support/certificates';
import { completeLessons } from './support/learning';
import { Browser, startTestApp, TestApp } from './support/test-app';
import { REQUEUE_VIDEOS_SCHEDULE, SWEEP_VIDEOS_SCHEDULE } from '../src/videos/videos.queue';

jest.setTimeout(90_000);

const COURSE = 'quiz-lab';
const FINAL = `/courses/${COURSE}/quizzes/final`;

describe('periodic work runs in worker processes only, on BullMQ job schedulers', () => {
  let t: TestApp;
  let db: DataSource;
  let queue: Queue;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'web', CONTENT_DIR: join(__dirname, 'fixtures', 'content') });
    db = t.app.get(DataSource);
    queue = t.app.get<Queue>(getQueueToken(SCHEDULED_QUEUE));
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  it('a web process schedules and sweeps nothing; a worker registers the schedules and closes an overdue attempt', async () => {
    const learner = new Browser(t.server);
    await learner.register('Zara', 'zara@example.pk');
    await completeLessons(learner, COURSE);
    const started = await learner.submit(FINAL, `${FINAL}/attempts`, {});
    expect(started.status).toBe(303);
    const attemptId = Number((started.headers.location as string).replace(/\?.*$/, '').split('/').pop());
    // The learner walked away; the deadline passed a minute ago.
    await db.getRepository(QuizAttempt).update({ id: attemptId }, { deadlineAt: new Date(Date.now() - 60_000) });

    await sleep(1500);
    expect(await queue.getJobSchedulersCount()).toBe(0);
    expect(await queue.count()).toBe(0);
    expect(await db.getRepository(QuizAttempt).findOneByOrFail({ id: attemptId })).toMatchObject({ status: 'in_progress' });

    worker = await startWorker({ ...t.config, role: 'worker' });
    const expected = [...Object.values(SCHEDULES), REQUEUE_VIDEOS_SCHEDULE, SWEEP_VIDEOS_SCHEDULE];
    const schedulers = await waitFor('the worker to register its schedules', async () => {
      const found = await queue.getJobSchedulers();
      return found.length === expected.length ? found : null;
    });
    expect(schedulers.map((s) => [s.key, Number(s.every)]).sort()).toEqual(expected.map((s) => [s.id, s.every]).sort());

    // The sweep runs every 15 s: the attempt is closed by the first tick, graded with what was saved.
    const closed = await waitFor(
      'the scheduled sweep to close the attempt',
      async () => {
        const attempt = await db.getRepository(QuizAttempt).findOneByOrFail({ id: attemptId });
        return attempt.status !== 'in_progress' ? attempt : null;
      },
      40_000,
      250,
    );
    expect(closed).toMatchObject({ status: 'graded', closedBy: 'deadline', scorePermille: 0 });
  });
});
