import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { FormInvalidError, NotFoundError } from '../common/domain-error';
import { Course } from '../courses/course.entity';
import { CoursesService } from '../courses/courses.service';
import { TransactionRunner } from '../database/transaction-runner';
import { parseGift } from '../quizzes/gift/gift-parser';
import type { QuestionDefinition } from '../quizzes/question.types';
import { QuizzesService } from '../quizzes/quizzes.service';
import { User } from '../users/user.entity';
import {
  LessonChangedError,
  LessonGoneError,
  QuizChangedError,
  SettingsChangedError,
} from './authoring-errors';
import { CourseSettingsInput, LessonInput, NewPartInput, QuizSettingsInput } from './authoring-forms';
import { CourseAccess, CourseAccessService } from './course-access.service';
import {
  DEFAULT_QUIZ_SETTINGS,
  DraftContent,
  DraftQuiz,
  moduleBySlug,
  normalizeQuestion,
  questionName,
  quizBySlug,
  slugify,
  uniqueSlug,
} from './draft-content';
import { DraftsService } from './drafts.service';
import { LessonImagesService, StoredImage } from './lesson-images.service';

export type GiftImportMode = 'add' | 'replace';

export interface GiftPreview {
  questions: { number: number; line: number; name: string; type: string; text: string; replaces: boolean }[];
  errors: { line: number; message: string }[];
}

/** The question form had problems: the validator's messages, nothing saved. */
export class QuestionInvalidError extends FormInvalidError {
  constructor(readonly problems: string[]) {
    super({ question: 'author.question_invalid' });
  }
}

/** The GIFT text had problems (line-numbered): nothing imported. */
export class GiftInvalidError extends FormInvalidError {
  constructor(readonly preview: GiftPreview) {
    super({ gift: 'author.gift_invalid' });
  }
}

const actorOf = (user: User) => ({ id: user.id, email: user.email });

/**
 * Editing a course's draft: settings, lessons, quizzes and questions. Every change is one
 * transaction that also writes its audit entry; the editable parts carry revisions, and a
 * save against an older revision is refused (optimistic locking) instead of overwriting.
 */
@Injectable()
export class AuthoringService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly courses: CoursesService,
    private readonly quizzes: QuizzesService,
    private readonly drafts: DraftsService,
    private readonly access: CourseAccessService,
    private readonly audit: AuditService,
    private readonly images: LessonImagesService,
  ) {}

  private async record(
    manager: EntityManager,
    user: User,
    course: Course,
    action: string,
    target: string,
    detail?: string,
  ) {
    await this.audit.record(manager, { actor: actorOf(user), action, courseId: course.id, target, detail });
  }

  // ---- courses ----------------------------------------------------------------------------

  /** A new course: not in the catalog, owned by its creator, with an empty draft. */
  async createCourse(user: User, input: CourseSettingsInput & { slug: string }): Promise<Course> {
    const slug = input.slug || slugify(input.title, 80);
    if (!slug) throw new FormInvalidError({ slug: 'author.slug_needed' });
    if (await this.courses.findCourseBySlug(slug)) throw new FormInvalidError({ slug: 'author.slug_taken' });
    const { slug: _slug, ...settings } = input;
    try {
      return await this.transactions.run(async (manager) => {
        const course = await this.courses.createDraftCourse(manager, { slug, ...settings });
        await this.access.addOwner(manager, course.id, user.id);
        await this.drafts.create(
          manager,
          course.id,
          { ...settings, revision: 1, modules: [], quizzes: [] },
          user.id,
        );
        await this.record(manager, user, course, 'course_created', slug, settings.title);
        return course;
      });
    } catch (error) {
      // Two trainers chose the same slug at the same moment: the unique index kept one.
      if (await this.courses.findCourseBySlug(slug))
        throw new FormInvalidError({ slug: 'author.slug_taken' });
      throw error;
    }
  }

  async saveSettings(
    user: User,
    access: CourseAccess,
    input: CourseSettingsInput,
    revision: number,
  ): Promise<void> {
    await this.drafts.change(access.course, user.id, async (draft, manager) => {
      if (draft.revision !== revision) throw new SettingsChangedError();
      Object.assign(draft, input, { revision: draft.revision + 1 });
      await this.record(manager, user, access.course, 'settings_saved', access.course.slug, input.title);
    });
  }

  /**
   * Sets the draft's cover from an uploaded picture (checked and cropped by storeCover), or removes
   * it (null). Like every draft change it goes live with the next publish. The cover is one value
   * apart from the settings text, so it does not move the settings revision.
   */
  async setCover(user: User, access: CourseAccess, upload: Buffer | null): Promise<void> {
    const image = upload ? await this.images.storeCover(upload) : null;
    await this.drafts.change(access.course, user.id, async (draft, manager) => {
      draft.coverImage = image?.name ?? null;
      await this.record(manager, user, access.course, image ? 'cover_set' : 'cover_removed', access.course.slug, image?.name);
    });
  }

  // ---- lessons ----------------------------------------------------------------------------

  async addLesson(user: User, access: CourseAccess, input: NewPartInput): Promise<string> {
    return this.drafts.change(access.course, user.id, async (draft, manager) => {
      const taken = draft.modules.map((m) => m.slug);
      if (input.slug && taken.includes(input.slug)) throw new FormInvalidError({ slug: 'author.slug_taken' });
      const slug = input.slug || uniqueSlug(slugify(input.title) || 'lesson', taken);
      draft.modules.push({
        slug,
        title: input.title,
        minutes: 10,
        required: true,
        bodyMarkdown: '',
        revision: 1,
      });
      await this.record(
        manager,
        user,
        access.course,
        'lesson_added',
        `${access.course.slug}/${slug}`,
        input.title,
      );
      return slug;
    });
  }

  /** Saves a lesson opened at `revision`; refused with LessonChangedError if someone saved it since. Returns the new revision. */
  async saveLesson(
    user: User,
    access: CourseAccess,
    slug: string,
    input: LessonInput,
    revision: number,
  ): Promise<number> {
    return this.drafts.change(access.course, user.id, async (draft, manager) => {
      const module = moduleBySlug(draft, slug);
      if (!module) throw new LessonGoneError();
      if (module.revision !== revision) throw new LessonChangedError();
      Object.assign(module, input, { revision: module.revision + 1 });
      await this.record(
        manager,
        user,
        access.course,
        'lesson_saved',
        `${access.course.slug}/${slug}`,
        input.title,
      );
      return module.revision;
    });
  }

  /** Stores a lesson image (checked from its bytes) and records who uploaded it where. */
  async uploadImage(
    user: User,
    access: CourseAccess,
    lessonSlug: string,
    data: Buffer,
  ): Promise<StoredImage> {
    const image = await this.images.store(data);
    await this.transactions.run((manager) =>
      this.record(
        manager,
        user,
        access.course,
        'image_uploaded',
        `${access.course.slug}/${lessonSlug}`,
        image.name,
      ),
    );
    return image;
  }

  async moveLesson(user: User, access: CourseAccess, slug: string, direction: 'up' | 'down'): Promise<void> {
    await this.drafts.change(access.course, user.id, async (draft, manager) => {
      const index = draft.modules.findIndex((m) => m.slug === slug);
      if (index < 0) throw new NotFoundError('errors.lesson_not_found');
      const other = direction === 'up' ? index - 1 : index + 1;
      if (other < 0 || other >= draft.modules.length) return;
      [draft.modules[index], draft.modules[other]] = [draft.modules[other], draft.modules[index]];
      await this.record(
        manager,
        user,
        access.course,
        'lesson_moved',
        `${access.course.slug}/${slug}`,
        direction,
      );
    });
  }

  async deleteLesson(user: User, access: CourseAccess, slug: string): Promise<void> {
    await this.drafts.change(access.course, user.id, async (draft, manager) => {
      const module = moduleBySlug(draft, slug);
      if (!module) throw new NotFoundError('errors.lesson_not_found');
      draft.modules = draft.modules.filter((m) => m.slug !== slug);
      await this.record(
        manager,
        user,
        access.course,
        'lesson_deleted',
        `${access.course.slug}/${slug}`,
        module.title,
      );
    });
  }

  // ---- quizzes ----------------------------------------------------------------------------

  async addQuiz(
    user: User,
    access: CourseAccess,
    input: NewPartInput & { final: boolean; module: string | null },
  ): Promise<string> {
    return this.drafts.change(access.course, user.id, async (draft, manager) => {
      const taken = draft.quizzes.map((q) => q.slug);
      if (input.slug && taken.includes(input.slug)) throw new FormInvalidError({ slug: 'author.slug_taken' });
      if (input.final && draft.quizzes.some((q) => q.final))
        throw new FormInvalidError({ placement: 'author.final_exists' });
      const slug = input.slug || uniqueSlug(input.final ? 'final' : slugify(input.title) || 'check', taken);
      draft.quizzes.push({
        ...DEFAULT_QUIZ_SETTINGS,
        slug,
        title: input.title,
        module: input.module,
        final: input.final,
        required: input.final,
        questions: [],
        revision: 1,
      });
      await this.record(
        manager,
        user,
        access.course,
        'quiz_added',
        `${access.course.slug}/${slug}`,
        input.title,
      );
      return slug;
    });
  }

  private quizAt(draft: DraftContent, slug: string, revision: number): DraftQuiz {
    const quiz = quizBySlug(draft, slug);
    if (!quiz) throw new NotFoundError('quizzes.not_found');
    if (quiz.revision !== revision) throw new QuizChangedError();
    return quiz;
  }

  async saveQuizSettings(
    user: User,
    access: CourseAccess,
    slug: string,
    input: QuizSettingsInput,
    revision: number,
  ): Promise<void> {
    await this.drafts.change(access.course, user.id, async (draft, manager) => {
      const quiz = this.quizAt(draft, slug, revision);
      if (input.final && draft.quizzes.some((q) => q.final && q.slug !== slug))
        throw new FormInvalidError({ placement: 'author.final_exists' });
      Object.assign(quiz, input, { revision: quiz.revision + 1 });
      await this.record(
        manager,
        user,
        access.course,
        'quiz_saved',
        `${access.course.slug}/${slug}`,
        input.title,
      );
    });
  }

  async deleteQuiz(user: User, access: CourseAccess, slug: string): Promise<void> {
    await this.drafts.change(access.course, user.id, async (draft, manager) => {
      const quiz = quizBySlug(draft, slug);
      if (!quiz) throw new NotFoundError('quizzes.not_found');
      draft.quizzes = draft.quizzes.filter((q) => q.slug !== slug);
      await this.record(
        manager,
        user,
        access.course,
        'quiz_deleted',
        `${access.course.slug}/${slug}`,
        quiz.title,
      );
    });
  }

  /**
   * Adds a question (position null) or replaces the one at `position` (1-based), after
   * checking it like any question; a question without a name gets one from its text.
   */
  async saveQuestion(
    user: User,
    access: CourseAccess,
    quizSlug: string,
    position: number | null,
    question: QuestionDefinition,
    revision: number,
  ): Promise<void> {
    await this.drafts.change(access.course, user.id, async (draft, manager) => {
      const quiz = this.quizAt(draft, quizSlug, revision);
      if (position !== null && !quiz.questions[position - 1]) throw new NotFoundError();
      const others = quiz.questions.filter((_, i) => i !== (position ?? 0) - 1).map((q) => q.name as string);
      const name =
        question.name?.trim() ||
        (position !== null ? (quiz.questions[position - 1].name as string) : questionName(question, others));
      if (others.includes(name))
        throw new QuestionInvalidError([
          `the name "${name}" is already used by another question of this quiz`,
        ]);
      const { question: normalized, problems } = normalizeQuestion({ ...question, name });
      if (!normalized) throw new QuestionInvalidError(problems);
      if (position === null) quiz.questions.push(normalized);
      else quiz.questions[position - 1] = normalized;
      quiz.revision += 1;
      await this.record(
        manager,
        user,
        access.course,
        position === null ? 'question_added' : 'question_saved',
        `${access.course.slug}/${quizSlug}`,
        name,
      );
    });
  }

  async deleteQuestion(
    user: User,
    access: CourseAccess,
    quizSlug: string,
    position: number,
    revision: number,
  ): Promise<void> {
    await this.drafts.change(access.course, user.id, async (draft, manager) => {
      const quiz = this.quizAt(draft, quizSlug, revision);
      const question = quiz.questions[position - 1];
      if (!question) throw new NotFoundError();
      quiz.questions.splice(position - 1, 1);
      quiz.revision += 1;
      await this.record(
        manager,
        user,
        access.course,
        'question_deleted',
        `${access.course.slug}/${quizSlug}`,
        question.name,
      );
    });
  }

  /** What importing the GIFT text would do to the quiz: the questions (new or replacing one of the same name) and every error with its line. */
  previewGift(quiz: DraftQuiz, source: string, mode: GiftImportMode): GiftPreview {
    const errors = source.trim()
      ? this.quizzes.checkGiftSource(source)
      : [{ line: 1, message: 'the quiz has no questions' }];
    const existing = new Set(mode === 'add' ? quiz.questions.map((q) => q.name as string) : []);
    const names = this.namesFor(quiz, parseGift(source).questions, mode);
    return {
      errors,
      questions: parseGift(source).questions.map((q, i) => ({
        number: i + 1,
        line: q.line,
        name: names[i],
        type: q.type,
        text: `${q.text}${q.textAfter ? ` … ${q.textAfter}` : ''}`.slice(0, 200),
        replaces: existing.has(names[i]),
      })),
    };
  }

  /** Names for imported questions: their own, or made from the text, never clashing with a question kept. */
  private namesFor(quiz: DraftQuiz, questions: QuestionDefinition[], mode: GiftImportMode): string[] {
    const taken = new Set(mode === 'add' ? quiz.questions.map((q) => q.name as string) : []);
    const named = new Set(questions.map((q) => q.name).filter(Boolean) as string[]);
    return questions.map((q) => {
      if (q.name) return q.name;
      const name = questionName(q, [...taken, ...named]);
      named.add(name);
      return name;
    });
  }

  /**
   * Imports GIFT into the quiz, all or nothing: `add` puts the questions after the existing
   * ones (one with the name of an existing question replaces it), `replace` swaps the pool.
   */
  async importGift(
    user: User,
    access: CourseAccess,
    quizSlug: string,
    source: string,
    mode: GiftImportMode,
    revision: number,
  ): Promise<number> {
    return this.drafts.change(access.course, user.id, async (draft, manager) => {
      const quiz = this.quizAt(draft, quizSlug, revision);
      const preview = this.previewGift(quiz, source, mode);
      if (preview.errors.length) throw new GiftInvalidError(preview);
      const parsed = parseGift(source).questions;
      const names = this.namesFor(quiz, parsed, mode);
      const incoming = parsed.map(({ line: _line, ...q }, i) => ({ ...q, name: names[i] }));
      const pool = mode === 'replace' ? [] : [...quiz.questions];
      for (const question of incoming) {
        const at = pool.findIndex((q) => q.name === question.name);
        if (at >= 0) pool[at] = question;
        else pool.push(question);
      }
      quiz.questions = pool;
      quiz.revision += 1;
      await this.record(
        manager,
        user,
        access.course,
        'gift_imported',
        `${access.course.slug}/${quizSlug}`,
        `${incoming.length} (${mode})`,
      );
      return incoming.length;
    });
  }

  // ---- authors ----------------------------------------------------------------------------

  async addCoauthor(user: User, access: CourseAccess, email: string): Promise<void> {
    const account = await this.access.authorAccount(email, 'email');
    await this.transactions.run(async (manager) => {
      if (await this.access.addCoauthor(manager, access, account)) {
        await this.record(manager, user, access.course, 'coauthor_added', access.course.slug, account.email);
      }
    });
  }

  async removeCoauthor(user: User, access: CourseAccess, userId: number): Promise<void> {
    await this.transactions.run(async (manager) => {
      if (await this.access.removeCoauthor(manager, access, userId)) {
        await this.record(manager, user, access.course, 'author_removed', access.course.slug, String(userId));
      }
    });
  }

  async assignOwner(user: User, access: CourseAccess, email: string): Promise<void> {
    const account = await this.access.authorAccount(email, 'ownerEmail');
    await this.transactions.run(async (manager) => {
      await this.access.assignOwner(manager, access, account);
      await this.record(manager, user, access.course, 'owner_assigned', access.course.slug, account.email);
    });
  }
}
