import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AttemptAnswer } from '../src/quizzes/entities/attempt-answer.entity';
import { QuizAttempt } from '../src/quizzes/entities/quiz-attempt.entity';
import { QuizStatisticsService } from '../src/quizzes/quiz-statistics.service';
import { QuizzesService } from '../src/quizzes/quizzes.service';
import { Browser, startTestApp, TestApp } from './support/test-app';

/**
 * Ten graded attempts with known scores on two questions: question A is answered right by the
 * strong attempts only (it discriminates), question B by everybody (it does not).
 */
describe('item statistics', () => {
  let t: TestApp;
  let quizId: number;
  let questionIds: number[];

  beforeAll(async () => {
    t = await startTestApp({ CONTENT_DIR: join(__dirname, 'fixtures', 'content') });
    const db = t.app.get(DataSource);
    const [course] = await db.query("SELECT id FROM courses WHERE slug = 'quiz-lab'");
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

  it('shows the numbers to trainers and managers, and nobody else', async () => {
    const db = t.app.get(DataSource);
    const trainer = new Browser(t.server);
    await trainer.register('Stat Trainer', 'stat-trainer@example.pk');
    await db.query("UPDATE users SET role = 'trainer' WHERE email = 'stat-trainer@example.pk'");
    const page = await trainer.get(`/author/quizzes/${quizId}/statistics`).expect(200);
    expect(page.text).toContain('Pass rate 50%');
    expect(page.text).toContain('<svg class="chart"');
    expect(page.text).toContain('<caption>Attempts per score band</caption>');
    const learner = new Browser(t.server);
    await learner.register('Plain Learner', 'plain@example.pk');
    await learner.get(`/author/quizzes/${quizId}/statistics`).expect(403);
    await learner.get('/author/grading').expect(403);
  });
});
