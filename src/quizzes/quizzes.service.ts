import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, LessThanOrEqual } from 'typeorm';
import { SharedCacheService } from '../cache/shared-cache.service';
import { NotFoundError } from '../common/domain-error';
import type { QuizEntry } from '../content/content-loader';
import { readRows } from '../database/plain-read';
import { TransactionRunner } from '../database/transaction-runner';
import { AttemptAnswer } from './entities/attempt-answer.entity';
import { DrawnQuestion, QuizAttempt } from './entities/quiz-attempt.entity';
import { QuizQuestion } from './entities/quiz-question.entity';
import { Quiz } from './entities/quiz.entity';
import { parseGift } from './gift/gift-parser';
import { writeGift } from './gift/gift-writer';
import { gradeQuestion, realPairsOf } from './grading/grade-question';
import { isResponseError, parseResponse } from './grading/parse-response';
import { presentQuestion, QuestionView, shownToCanonical } from './question-view';
import { GradeStatus, QuestionDefinition } from './question.types';
import { AttemptClosedError, InvalidAnswerError, NoAttemptsLeftError, QuestionNotInAttemptError } from './quiz-errors';

/** A learner's standing on one quiz, across all their attempts. */
export interface QuizStanding {
  quiz: Quiz;
  attemptsUsed: number;
  attemptsLeft: number | null;
  openAttempt: QuizAttempt | null;
  /** The grade that counts (highest or latest graded attempt), 0–1000, or null before any. */
  gradePermille: number | null;
  passed: boolean;
  awaitingGrading: boolean;
}

export interface CloseResult {
  attempt: QuizAttempt;
  /** True only for the call that actually closed the attempt. */
  closedNow: boolean;
}

/** One question of a closed attempt with its grade (null while an essay waits for a mark). */
export interface GradedAnswer {
  question: QuizQuestion;
  answered: boolean;
  status: GradeStatus | null;
  scorePermille: number | null;
}

export interface AnswerReview {
  number: number;
  view: QuestionView;
  status: AttemptAnswer['status'];
  scorePermille: number | null;
  feedback: string[];
  correctAnswer: string[];
  graderComment: string | null;
}

/** A quiz's settings (as in course.yaml) with its question pool. */
export type QuizDefinition = Omit<QuizEntry, 'file' | 'source'> & { questions: QuestionDefinition[] };

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** How the right answer reads, for the full review once an attempt is closed. */
function describeCorrectAnswer(q: QuestionDefinition): string[] {
  switch (q.type) {
    case 'single':
    case 'missingword':
    case 'multiple':
      return (q.options ?? []).filter((o) => o.weight > 0).map((o) => (q.type === 'multiple' ? `${o.text} (${o.weight}%)` : o.text));
    case 'short':
      return (q.options ?? []).filter((o) => o.weight === 100).map((o) => o.text);
    case 'truefalse':
      return [q.answer ? 'true' : 'false'];
    case 'numeric':
      return (q.numeric ?? [])
        .filter((n) => n.weight === 100)
        .map((n) => (n.kind === 'range' ? `${n.min}–${n.max}` : n.tolerance ? `${n.value} ± ${n.tolerance}` : `${n.value}`));
    case 'matching':
      return realPairsOf(q.pairs ?? []).map((p) => `${p.left} → ${p.right}`);
    default:
      return [];
  }
}

const QUIZ_LIST_TTL_MS = 10 * 60 * 1000;

@Injectable()
export class QuizzesService {
  /** Each course's live quizzes (settings only, no questions), cleared whenever a course or quiz changes. */
  private readonly quizLists;
  /**
   * Each learner's attempts (every quiz, oldest number first), which every course page reads for
   * its standings. Only this service writes attempts, and each write forgets the learner's entry
   * in every process after it commits (startAttempt, closeAttempt, gradeEssay).
   */
  private readonly attemptsByLearner;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly cache: SharedCacheService,
  ) {
    this.quizLists = cache.create<Quiz[]>('course-structure', { ttlMs: QUIZ_LIST_TTL_MS, maxEntries: 5000 });
    this.attemptsByLearner = cache.create<QuizAttempt[]>('quiz-attempts', { ttlMs: QUIZ_LIST_TTL_MS, maxEntries: 20_000 });
  }

  /** A learner's attempts changed in `manager`'s transaction: every process forgets them once it commits. */
  private attemptsChanged(userId: number, manager: EntityManager): void {
    this.cache.forget('quiz-attempts', String(userId), manager);
  }

  // ---- content import -------------------------------------------------------------------

  parseQuestions(source: string): QuestionDefinition[] {
    return parseGift(source).questions;
  }

  /** GIFT problems of a quiz file, for the content/ checker. */
  checkGiftSource(source: string): { line: number; message: string }[] {
    const { questions, errors } = parseGift(source);
    if (errors.length === 0 && questions.length === 0) return [{ line: 1, message: 'the quiz has no questions' }];
    const names = new Map<string, number>();
    const duplicates = questions
      .filter((q) => q.name)
      .flatMap((q) => {
        const seen = names.get(q.name as string);
        names.set(q.name as string, q.line);
        return seen ? [{ line: q.line, message: `question name "${q.name}" is also used on line ${seen}` }] : [];
      });
    return [...errors, ...duplicates];
  }

  /**
   * Writes a course's quizzes from content/ inside the caller's transaction. Quizzes match by
   * slug and questions by name, so attempts and statistics stay attached across edits; what
   * disappeared from the files is marked removed, never deleted.
   */
  async saveFromContent(manager: EntityManager, courseId: number, entries: QuizEntry[], moduleIds: Map<string, number>): Promise<void> {
    const quizzes = entries.map(({ file: _file, source, ...settings }) => ({ ...settings, questions: parseGift(source).questions }));
    await this.saveQuizDefinitions(manager, courseId, quizzes, moduleIds);
  }

  /**
   * Writes a course's quizzes, settings and question pools already parsed (content/ files, or a
   * draft built in the browser), with the same identity rules as saveFromContent.
   */
  async saveQuizDefinitions(manager: EntityManager, courseId: number, entries: QuizDefinition[], moduleIds: Map<string, number>): Promise<void> {
    const quizzes = manager.getRepository(Quiz);
    const now = new Date();
    const existing = new Map((await quizzes.findBy({ courseId })).map((q) => [q.slug, q]));
    for (const entry of entries) {
      const quiz = await quizzes.save(
        quizzes.merge(existing.get(entry.slug) ?? quizzes.create({ courseId, slug: entry.slug, createdAt: now }), {
          title: entry.title,
          moduleId: entry.module ? (moduleIds.get(entry.module) ?? null) : null,
          isFinal: entry.final,
          required: entry.required,
          passMark: entry.passMark,
          maxAttempts: entry.attempts,
          timeLimitSeconds: entry.timeLimitMinutes * 60,
          drawCount: entry.draw,
          shuffleQuestions: entry.shuffleQuestions,
          shuffleOptions: entry.shuffleOptions,
          grading: entry.grading,
          review: entry.review,
          removedAt: null,
          updatedAt: now,
        }),
      );
      existing.delete(entry.slug);
      await this.replaceQuestions(manager, quiz.id, entry.questions);
    }
    for (const gone of existing.values()) {
      if (!gone.removedAt) await quizzes.update({ id: gone.id }, { removedAt: now, updatedAt: now });
    }
    this.cache.changed('course-structure', manager);
  }

  /** Replaces a quiz's pool: questions keep their id by name; missing ones are marked removed. */
  async replaceQuestions(manager: EntityManager, quizId: number, definitions: QuestionDefinition[]): Promise<void> {
    const repository = manager.getRepository(QuizQuestion);
    const now = new Date();
    const existing = new Map((await repository.findBy({ quizId })).map((q) => [q.name, q]));
    for (const [index, raw] of definitions.entries()) {
      const { line: _line, ...definition } = raw as QuestionDefinition & { line?: number };
      const name = definition.name?.trim() || `q-${index + 1}`;
      await repository.save(
        repository.merge(existing.get(name) ?? repository.create({ quizId, name }), {
          position: index + 1,
          type: definition.type,
          definition,
          removedAt: null,
        }),
      );
      existing.delete(name);
    }
    for (const gone of existing.values()) {
      if (!gone.removedAt) await repository.update({ id: gone.id }, { removedAt: now });
    }
    this.cache.changed('course-structure', manager);
  }

  /** A quiz's live pool as GIFT text (the same format content/ and Moodle use). */
  async exportGift(quizId: number): Promise<string> {
    const questions = await this.activeQuestions(quizId);
    return writeGift(questions.map((q) => ({ ...q.definition, name: q.name })));
  }

  /**
   * Replaces a quiz's pool from GIFT text, all or nothing: with any error nothing changes and
   * every error is returned with its line. A dry run reports what would be imported.
   */
  async importGift(quizId: number, source: string, dryRun: boolean): Promise<{ questions: QuestionDefinition[]; errors: { line: number; message: string }[] }> {
    const errors = this.checkGiftSource(source);
    const questions = parseGift(source).questions;
    if (errors.length === 0 && !dryRun) {
      await this.transactions.run((manager) => this.replaceQuestions(manager, quizId, questions));
    }
    return { questions, errors };
  }

  // ---- reading quizzes ------------------------------------------------------------------

  /** A course's live quizzes, finals last. Inside a transaction (a manager given) always read afresh. */
  async listCourseQuizzes(courseId: number, manager?: EntityManager): Promise<Quiz[]> {
    if (manager) return this.queryCourseQuizzes(manager, [courseId]);
    return (await this.listQuizzesForCourses([courseId])).get(courseId) ?? [];
  }

  /** The live quizzes of several courses, by course id, in one query for whatever is not cached. */
  async listQuizzesForCourses(courseIds: number[]): Promise<Map<number, Quiz[]>> {
    const found = await this.quizLists.getMany(courseIds.map(String), async (missing) => {
      const rows = await this.queryCourseQuizzes(this.dataSource.manager, missing.map(Number));
      return new Map(missing.map((key) => [key, rows.filter((quiz) => quiz.courseId === Number(key))]));
    });
    return new Map([...found].map(([key, quizzes]) => [Number(key), quizzes]));
  }

  private queryCourseQuizzes(manager: EntityManager, courseIds: number[]): Promise<Quiz[]> {
    if (courseIds.length === 0) return Promise.resolve([]);
    return manager
      .getRepository(Quiz)
      .find({ where: { courseId: In(courseIds), removedAt: IsNull() }, order: { courseId: 'ASC', isFinal: 'ASC', id: 'ASC' } });
  }

  async getQuiz(courseId: number, slug: string): Promise<Quiz> {
    const quiz = await this.dataSource.getRepository(Quiz).findOneBy({ courseId, slug, removedAt: IsNull() });
    if (!quiz) throw new NotFoundError('quizzes.not_found');
    return quiz;
  }

  findQuizById(id: number, manager: EntityManager = this.dataSource.manager): Promise<Quiz | null> {
    return manager.getRepository(Quiz).findOneBy({ id });
  }

  async activeQuestions(quizId: number, manager: EntityManager = this.dataSource.manager): Promise<QuizQuestion[]> {
    return manager.getRepository(QuizQuestion).find({ where: { quizId, removedAt: IsNull() }, order: { position: 'ASC' } });
  }

  async standings(userId: number, quizzes: Quiz[], manager: EntityManager = this.dataSource.manager): Promise<Map<number, QuizStanding>> {
    if (quizzes.length === 0) return new Map();
    const quizIds = quizzes.map((q) => Number(q.id));
    // Outside a transaction this is asked by every course page: from memory, else plain SQL
    // (see readRows). Inside one, the transaction's own view of the rows counts.
    const attempts =
      manager === this.dataSource.manager
        ? await this.attemptsByLearner.get(String(userId), () => readRows(this.dataSource, QuizAttempt, 'user_id = ?', [userId], 'number ASC, id ASC'))
        : await manager.getRepository(QuizAttempt).find({ where: { userId, quizId: In(quizIds) }, order: { number: 'ASC' } });
    return standingsFrom(quizzes, attempts);
  }

  /**
   * Several learners' standings in the same quizzes, read in the caller's transaction with one
   * query (the progress refresh after a publish asks this for a chunk of enrolments at a time).
   */
  async standingsOfLearners(manager: EntityManager, userIds: number[], quizzes: Quiz[]): Promise<Map<number, Map<number, QuizStanding>>> {
    const byLearner = new Map<number, QuizAttempt[]>(userIds.map((id) => [Number(id), []]));
    if (quizzes.length > 0 && userIds.length > 0) {
      const attempts = await manager.getRepository(QuizAttempt).find({
        where: { userId: In([...byLearner.keys()]), quizId: In(quizzes.map((q) => Number(q.id))) },
        order: { number: 'ASC' },
      });
      for (const attempt of attempts) byLearner.get(Number(attempt.userId))?.push(attempt);
    }
    return new Map([...byLearner].map(([userId, attempts]) => [userId, standingsFrom(quizzes, attempts)]));
  }

  listAttempts(userId: number, quizId: number): Promise<QuizAttempt[]> {
    return this.dataSource.getRepository(QuizAttempt).find({ where: { userId, quizId }, order: { number: 'DESC' } });
  }

  /** A learner's attempts at several quizzes, in one query. */
  listAttemptsFor(userId: number, quizIds: number[]): Promise<QuizAttempt[]> {
    if (quizIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(QuizAttempt).find({ where: { userId, quizId: In(quizIds) }, order: { quizId: 'ASC', number: 'ASC' } });
  }

  // ---- taking a quiz --------------------------------------------------------------------

  /**
   * Starts an attempt, or returns the one already open. The draw (which questions, in what
   * order, with what option order) is fixed here and never changes afterwards.
   */
  async startAttempt(userId: number, quiz: Quiz, now: Date): Promise<QuizAttempt> {
    const pool = await this.activeQuestions(quiz.id);
    if (pool.length === 0) throw new NotFoundError('quizzes.not_found');
    try {
      return await this.transactions.run(async (manager) => {
        const attempts = manager.getRepository(QuizAttempt);
        const mine = await attempts.find({ where: { userId, quizId: quiz.id }, order: { number: 'DESC' } });
        const open = mine.find((a) => a.status === 'in_progress');
        if (open) return open;
        if (quiz.maxAttempts && mine.length >= quiz.maxAttempts) throw new NoAttemptsLeftError();
        this.attemptsChanged(userId, manager);
        return attempts.save(
          attempts.create({
            quizId: quiz.id,
            userId,
            number: (mine[0]?.number ?? 0) + 1,
            status: 'in_progress',
            drawn: this.draw(quiz, pool),
            startedAt: now,
            deadlineAt: quiz.timeLimitSeconds ? new Date(now.getTime() + quiz.timeLimitSeconds * 1000) : null,
            closedAt: null,
            closedBy: null,
            scorePermille: null,
            passed: null,
          }),
        );
      });
    } catch (error) {
      // A double click started the same attempt number twice: the unique index kept one.
      const open = (await this.listAttempts(userId, quiz.id)).find((a) => a.status === 'in_progress');
      if (open) return open;
      throw error;
    }
  }

  private draw(quiz: Quiz, pool: QuizQuestion[]): DrawnQuestion[] {
    let chosen = pool;
    if (quiz.drawCount > 0 && quiz.drawCount < pool.length) {
      const picked = new Set(shuffled(pool.map((_, i) => i)).slice(0, quiz.drawCount));
      chosen = pool.filter((_, i) => picked.has(i));
    }
    if (quiz.shuffleQuestions) chosen = shuffled(chosen);
    return chosen.map((question) => {
      const definition = question.definition;
      const drawn: DrawnQuestion = { questionId: question.id };
      if (definition.options && ['single', 'multiple', 'missingword'].includes(definition.type)) {
        const order = definition.options.map((_, i) => i);
        drawn.options = quiz.shuffleOptions ? shuffled(order) : order;
      }
      if (definition.type === 'matching') {
        // Always shuffled: in file order the right-hand column would give the answer away.
        drawn.rights = shuffled([...new Set((definition.pairs ?? []).map((p) => p.right))]);
      }
      return drawn;
    });
  }

  /** The attempt, only if it belongs to this learner and this quiz; anything else is "not found". */
  async getOwnAttempt(userId: number, quizId: number, attemptId: number): Promise<QuizAttempt> {
    const attempt = await this.dataSource.getRepository(QuizAttempt).findOneBy({ id: attemptId, userId, quizId });
    if (!attempt) throw new NotFoundError('quizzes.attempt_not_found');
    return attempt;
  }

  isPastDeadline(attempt: QuizAttempt, now: Date): boolean {
    return attempt.status === 'in_progress' && !!attempt.deadlineAt && attempt.deadlineAt.getTime() <= now.getTime();
  }

  /** The attempt's questions as the learner may see them, with their saved answers. */
  async attemptViews(attempt: QuizAttempt): Promise<QuestionView[]> {
    const ids = attempt.drawn.map((d) => d.questionId);
    const [questions, answers] = await Promise.all([
      this.dataSource.getRepository(QuizQuestion).findBy({ id: In(ids) }),
      this.dataSource.getRepository(AttemptAnswer).findBy({ attemptId: attempt.id }),
    ]);
    const byId = new Map(questions.map((q) => [q.id, q]));
    const saved = new Map(answers.map((a) => [a.questionId, a.response]));
    return attempt.drawn.map((drawn, index) =>
      presentQuestion((byId.get(drawn.questionId) as QuizQuestion).definition, drawn, index + 1, saved.get(drawn.questionId)),
    );
  }

  /**
   * Saves one answer while the attempt is open. Only questions drawn for this attempt are
   * accepted, and only well-formed answers; saving again replaces the previous answer.
   */
  async saveAnswer(attempt: QuizAttempt, questionId: number, raw: unknown, now: Date): Promise<void> {
    if (attempt.status !== 'in_progress' || this.isPastDeadline(attempt, now)) throw new AttemptClosedError();
    const drawn = attempt.drawn.find((d) => d.questionId === questionId);
    if (!drawn) throw new QuestionNotInAttemptError();
    const question = await this.dataSource.getRepository(QuizQuestion).findOneByOrFail({ id: questionId });
    const response = parseResponse(question.definition, shownToCanonical(question.definition, drawn, raw));
    if (isResponseError(response)) throw new InvalidAnswerError(response.error);
    await this.transactions.run(async (manager) => {
      // Re-read inside the transaction: a submit or the deadline may have closed it meanwhile.
      const current = await manager.getRepository(QuizAttempt).findOneByOrFail({ id: attempt.id });
      if (current.status !== 'in_progress') throw new AttemptClosedError();
      await manager
        .getRepository(AttemptAnswer)
        .upsert({ attemptId: attempt.id, questionId, response, status: 'saved', savedAt: now, scorePermille: null }, ['attemptId', 'questionId']);
    });
  }

  /**
   * Closes and grades an attempt inside the caller's transaction. Only the first call closes
   * it (a conditional update); later calls — a second submit, the deadline sweeper — return
   * the same result unchanged.
   */
  async closeAttempt(manager: EntityManager, attemptId: number, closedBy: 'learner' | 'deadline', now: Date): Promise<CloseResult> {
    const attempts = manager.getRepository(QuizAttempt);
    const claimed = await attempts.update({ id: attemptId, status: 'in_progress' }, { status: 'graded', closedAt: now, closedBy });
    const attempt = await attempts.findOneByOrFail({ id: attemptId });
    if ((claimed.affected ?? 0) !== 1) return { attempt, closedNow: false };
    this.attemptsChanged(attempt.userId, manager);

    const quiz = await manager.getRepository(Quiz).findOneByOrFail({ id: attempt.quizId });
    const questions = new Map(
      (await manager.getRepository(QuizQuestion).findBy({ id: In(attempt.drawn.map((d) => d.questionId)) })).map((q) => [q.id, q]),
    );
    const answersRepo = manager.getRepository(AttemptAnswer);
    const saved = new Map((await answersRepo.findBy({ attemptId })).map((a) => [a.questionId, a]));
    let total = 0;
    let waiting = false;
    for (const drawn of attempt.drawn) {
      const definition = (questions.get(drawn.questionId) as QuizQuestion).definition;
      const answer = saved.get(drawn.questionId);
      const grade = gradeQuestion(definition, answer?.response ?? null);
      const scorePermille = grade.score === null ? null : Math.round(grade.score * 1000);
      if (scorePermille === null) waiting = true;
      else total += scorePermille;
      if (answer) await answersRepo.update({ id: answer.id }, { status: grade.status, scorePermille });
      else await answersRepo.insert({ attemptId, questionId: drawn.questionId, response: null, status: grade.status, scorePermille, savedAt: now });
    }
    const scorePermille = Math.round(total / Math.max(1, attempt.drawn.length));
    await attempts.update(
      { id: attemptId },
      waiting
        ? { status: 'awaiting_grading', scorePermille: null, passed: null }
        : { scorePermille, passed: scorePermille >= quiz.passMark * 10 },
    );
    return { attempt: await attempts.findOneByOrFail({ id: attemptId }), closedNow: true };
  }

  /**
   * The questions of a closed attempt in the order they were shown, each with its grade, read
   * through the caller's transaction (xAPI records one "answered" statement per question).
   */
  async gradedAnswers(manager: EntityManager, attempt: QuizAttempt): Promise<GradedAnswer[]> {
    const ids = attempt.drawn.map((d) => d.questionId);
    if (ids.length === 0) return [];
    const questions = new Map((await manager.getRepository(QuizQuestion).findBy({ id: In(ids) })).map((q) => [q.id, q]));
    const answers = new Map((await manager.getRepository(AttemptAnswer).findBy({ attemptId: attempt.id })).map((a) => [a.questionId, a]));
    return attempt.drawn.flatMap((drawn) => {
      const question = questions.get(drawn.questionId);
      if (!question) return [];
      const answer = answers.get(drawn.questionId);
      const status = answer && answer.status !== 'saved' && answer.status !== 'needs_grading' ? answer.status : null;
      return [{ question, answered: answer?.response != null, status, scorePermille: answer?.scorePermille ?? null }];
    });
  }

  /** Open attempts whose time ran out, oldest first (the sweeper closes them). */
  findExpiredAttempts(now: Date, limit = 200): Promise<QuizAttempt[]> {
    return this.dataSource.getRepository(QuizAttempt).find({
      where: { status: 'in_progress', deadlineAt: LessThanOrEqual(now) },
      order: { deadlineAt: 'ASC' },
      take: limit,
    });
  }

  /** What the learner may see after closing, by the quiz's review policy. */
  async review(attempt: QuizAttempt, quiz: Quiz): Promise<AnswerReview[]> {
    if (attempt.status === 'in_progress' || quiz.review === 'score') return [];
    const ids = attempt.drawn.map((d) => d.questionId);
    const [questions, answers] = await Promise.all([
      this.dataSource.getRepository(QuizQuestion).findBy({ id: In(ids) }),
      this.dataSource.getRepository(AttemptAnswer).findBy({ attemptId: attempt.id }),
    ]);
    const byId = new Map(questions.map((q) => [q.id, q]));
    const answerById = new Map(answers.map((a) => [a.questionId, a]));
    return attempt.drawn.map((drawn, index) => {
      const definition = (byId.get(drawn.questionId) as QuizQuestion).definition;
      const answer = answerById.get(drawn.questionId);
      const full = quiz.review === 'full';
      return {
        number: index + 1,
        view: presentQuestion(definition, drawn, index + 1, answer?.response),
        status: answer?.status ?? 'unanswered',
        scorePermille: answer?.scorePermille ?? null,
        feedback: full ? gradeQuestion(definition, answer?.response ?? null).feedback : [],
        correctAnswer: full ? describeCorrectAnswer(definition) : [],
        graderComment: answer?.graderComment ?? null,
      };
    });
  }

  // ---- essays ---------------------------------------------------------------------------

  /**
   * Essay answers waiting for a trainer, oldest first: only those from the courses given
   * (the caller decides whose courses those are), or from every course when courseIds is null.
   * The course filter is part of the query, so the limit counts only answers the caller may see.
   */
  async essaysAwaitingGrading(courseIds: number[] | null, limit = 100) {
    if (courseIds && courseIds.length === 0) return [];
    const query = this.dataSource
      .getRepository(AttemptAnswer)
      .createQueryBuilder('answer')
      .innerJoin('answer.attempt', 'attempt')
      .innerJoin('attempt.quiz', 'quiz')
      .where('answer.status = :status', { status: 'needs_grading' })
      .orderBy('answer.savedAt', 'ASC')
      .addOrderBy('answer.id', 'ASC')
      .limit(limit);
    if (courseIds) query.andWhere('quiz.courseId IN (:...courseIds)', { courseIds });
    const answers = await query.getMany();
    if (answers.length === 0) return [];
    const attempts = new Map(
      (await this.dataSource.getRepository(QuizAttempt).findBy({ id: In(answers.map((a) => a.attemptId)) })).map((a) => [a.id, a]),
    );
    const questions = new Map(
      (await this.dataSource.getRepository(QuizQuestion).findBy({ id: In(answers.map((a) => a.questionId)) })).map((q) => [q.id, q]),
    );
    const quizzes = new Map(
      (await this.dataSource.getRepository(Quiz).findBy({ id: In([...attempts.values()].map((a) => a.quizId)) })).map((q) => [q.id, q]),
    );
    return answers.map((answer) => {
      const attempt = attempts.get(answer.attemptId) as QuizAttempt;
      const question = questions.get(answer.questionId) as QuizQuestion;
      return {
        answer,
        attempt,
        quiz: quizzes.get(attempt.quizId) as Quiz,
        questionHtml: presentQuestion(question.definition, { questionId: question.id }, 1, null).textHtml,
        text: answer.response?.type === 'essay' ? answer.response.text : '',
      };
    });
  }

  /** How many essay answers wait in each course, for the courses given (null: every course). */
  async essaysAwaitingByCourse(courseIds: number[] | null): Promise<Map<number, number>> {
    if (courseIds && courseIds.length === 0) return new Map();
    const query = this.dataSource
      .getRepository(AttemptAnswer)
      .createQueryBuilder('answer')
      .innerJoin('answer.attempt', 'attempt')
      .innerJoin('attempt.quiz', 'quiz')
      .select('quiz.courseId', 'courseId')
      .addSelect('COUNT(*)', 'waiting')
      .where('answer.status = :status', { status: 'needs_grading' })
      .groupBy('quiz.courseId');
    if (courseIds) query.andWhere('quiz.courseId IN (:...courseIds)', { courseIds });
    const rows: { courseId: number | string; waiting: number | string }[] = await query.getRawMany();
    return new Map(rows.map((r) => [Number(r.courseId), Number(r.waiting)]));
  }

  /** The course an answer was given in (through its attempt's quiz), or null when there is no such answer. */
  async courseIdOfAnswer(answerId: number): Promise<number | null> {
    const row: { courseId: number | string } | undefined = await this.dataSource
      .getRepository(AttemptAnswer)
      .createQueryBuilder('answer')
      .innerJoin('answer.attempt', 'attempt')
      .innerJoin('attempt.quiz', 'quiz')
      .select('quiz.courseId', 'courseId')
      .where('answer.id = :answerId', { answerId })
      .getRawOne();
    return row ? Number(row.courseId) : null;
  }

  /**
   * Records a trainer's mark for an essay inside the caller's transaction; when it was the
   * attempt's last ungraded answer, the attempt gets its score. Returns the attempt.
   */
  async gradeEssay(manager: EntityManager, answerId: number, graderId: number, percent: number, comment: string, now: Date): Promise<QuizAttempt> {
    const answers = manager.getRepository(AttemptAnswer);
    const answer = await answers.findOneBy({ id: answerId });
    if (!answer) throw new NotFoundError();
    const scorePermille = Math.round(Math.min(100, Math.max(0, percent)) * 10);
    const status = scorePermille === 1000 ? 'correct' : scorePermille === 0 ? 'incorrect' : 'partial';
    await answers.update({ id: answerId }, { scorePermille, status, gradedBy: graderId, gradedAt: now, graderComment: comment.trim() || null });

    const attempts = manager.getRepository(QuizAttempt);
    const attempt = await attempts.findOneByOrFail({ id: answer.attemptId });
    this.attemptsChanged(attempt.userId, manager);
    const all = await answers.findBy({ attemptId: attempt.id });
    if (attempt.status === 'awaiting_grading' && all.every((a) => a.scorePermille !== null)) {
      const quiz = await manager.getRepository(Quiz).findOneByOrFail({ id: attempt.quizId });
      const total = all.reduce((sum, a) => sum + (a.scorePermille as number), 0);
      const score = Math.round(total / Math.max(1, attempt.drawn.length));
      await attempts.update({ id: attempt.id, status: 'awaiting_grading' }, { status: 'graded', scorePermille: score, passed: score >= quiz.passMark * 10 });
    }
    return attempts.findOneByOrFail({ id: attempt.id });
  }
}

/** Where a learner stands in each quiz, from their attempts at them (in attempt order). */
function standingsFrom(quizzes: Quiz[], attempts: QuizAttempt[]): Map<number, QuizStanding> {
  const result = new Map<number, QuizStanding>();
  for (const quiz of quizzes) {
    const mine = attempts.filter((a) => a.quizId === quiz.id);
    const graded = mine.filter((a) => a.status === 'graded' && a.scorePermille !== null);
    const gradePermille = graded.length
      ? quiz.grading === 'latest'
        ? (graded[graded.length - 1].scorePermille as number)
        : Math.max(...graded.map((a) => a.scorePermille as number))
      : null;
    result.set(quiz.id, {
      quiz,
      attemptsUsed: mine.length,
      attemptsLeft: quiz.maxAttempts ? Math.max(0, quiz.maxAttempts - mine.length) : null,
      openAttempt: mine.find((a) => a.status === 'in_progress') ?? null,
      gradePermille,
      passed: gradePermille !== null && gradePermille >= quiz.passMark * 10,
      awaitingGrading: mine.some((a) => a.status === 'awaiting_grading'),
    });
  }
  return result;
}
