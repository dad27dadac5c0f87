import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AttemptAnswer } from '../src/quizzes/entities/attempt-answer.entity';
import { QuizAttempt } from '../src/quizzes/entities/quiz-attempt.entity';
import { QuizStatisticsService } from '../src/quizzes/quiz-statistics.service';
import { QuizzesService } from '../src/quizzes/quizzes.service';
import { addCoauthor, signUp } from './support/authoring';
import { Browser, startTestApp, TestApp } from './support/test-app';

/**
 * Ten graded attempts with known scores on two questions: question A is answered right by the
 * strong attempts only (it discriminates), question B by everybody (it does not).
 */
describe('item statistics', () => {
  let t: TestApp;
  let quizId: number;
  let courseId: number;
  let questionIds: number[];

  beforeAll(async () => {
    t = await startTestApp({ CONTENT_DIR: join(__dirname, 'fixtures', 'content') });
    const db = t.app.get(DataSource);
    const [course] = await db.query("SELECT id FROM courses WHERE slug = 'quiz-lab'");
    courseId = Number(course.id);
    const quiz = await t.app.get(QuizzesService).getQuiz(course.id, 'final');
    quizId = quiz.id;
    questionIds = (await t.app.get(QuizzesService).activeQuestions(quiz.id)).slice(0, 2).map((q) => q.id);
    await new Browser(t.server).register('Stat Learner', 'stats@example.pk');
    const [{ id: userId }] = await db.query("SELECT id FROM users WHERE email = 'stats@example.pk'");
    for (let n = 1; n <= 10; n++) {
      const strong = n > 5;
      const a = strong ? 1000 : 0;
      const score = Math.round((a + 1000) / 2);
      const attempt = await db.getRepository(QuizAttempt).save({
        quizId,
        userId,
        number: n,
        status: 'graded' as const,
        drawn: questionIds.map((questionId) => ({ questionId })),
        startedAt: new Date(),
        deadlineAt: null,
        closedAt: new Date(),
        closedBy: 'learner',
        scorePermille: score,
        passed: score >= 600,
      });
      const answer = { attemptId: attempt.id, status: 'correct' as const, savedAt: new Date(), response: null };
      await db.getRepository(AttemptAnswer).insert([
        { ...answer, questionId: questionIds[0], scorePermille: a },
        { ...answer, questionId: questionIds[1], scorePermille: 1000 },
      ]);
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  it('computes facility, upper-lower discrimination, pass rate and score bands from the stored attempts', async () => {
    const quiz = (await t.app.get(QuizzesService).findQuizById(quizId))!;
    const stats = await t.app.get(QuizStatisticsService).forQuiz(quiz);
    expect(stats.attempts).toBe(10);
    expect(stats.passRate).toBe(0.5);
    expect(stats.meanPercent).toBe(75);
    expect(stats.distribution).toEqual([0, 0, 0, 0, 0, 5, 0, 0, 0, 5]);
    const [a, b] = questionIds.map((id) => stats.questions.find((q) => q.questionId === id)!);
    expect(a).toMatchObject({ answers: 10, facility: 0.5, discrimination: 1 });
    expect(b).toMatchObject({ answers: 10, facility: 1, discrimination: 0 });
  });

  it('shows the numbers to the course’s authors, administrators and managers, and nobody else', async () => {
    const admin = await signUp(t, 'stat-admin@example.pk', 'admin');
    const trainer = await signUp(t, 'stat-trainer@example.pk', 'trainer');
    const outsider = await signUp(t, 'other-trainer@example.pk', 'trainer');
    // quiz-lab comes from content/ without an owner: an administrator makes the trainer a co-author.
    await addCoauthor(admin, courseId, 'stat-trainer@example.pk');
    const page = await trainer.get(`/author/quizzes/${quizId}/statistics`).expect(200);
    expect(page.text).toContain('Pass rate 50%');
    expect(page.text).toContain('<svg class="chart"');
    expect(page.text).toContain('<caption>Attempts per score band</caption>');
    expect(page.text).toContain(`href="/author/courses/${courseId}#quizzes"`);

    // A trainer who is not one of the course's authors: 403, as a page and as JSON.
    const refused = await outsider.get(`/author/quizzes/${quizId}/statistics`).expect(403);
    expect(refused.text).not.toContain('Pass rate');
    const json = await outsider.get(`/author/quizzes/${quizId}/statistics`).set('Accept', 'application/json').expect(403);
    expect(json.body.error).toBe('author.not_your_course');

    expect((await admin.get(`/author/quizzes/${quizId}/statistics`).expect(200)).text).toContain('Pass rate 50%');
    // Programme managers monitor every course: they read the numbers without authoring anything.
    const manager = await signUp(t, 'stat-manager@example.pk', 'manager');
    expect((await manager.get(`/author/quizzes/${quizId}/statistics`).expect(200)).text).toContain('Pass rate 50%');
    await manager.get(`/author/courses/${courseId}`).expect(403);
    await trainer.get('/author/quizzes/999999/statistics').expect(404);

    const learner = new Browser(t.server);
    await learner.register('Plain Learner', 'plain@example.pk');
    await learner.get(`/author/quizzes/${quizId}/statistics`).expect(403);
    await learner.get('/author/grading').expect(403);
  });
});
