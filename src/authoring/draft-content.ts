import { SLUG_PATTERN } from '../content/content-loader';
import type { CourseDefinition } from '../courses/course-definition';
import type { CourseModule } from '../courses/course-module.entity';
import type { Course, CourseLevel } from '../courses/course.entity';
import type { Quiz } from '../quizzes/entities/quiz.entity';
import { parseGift } from '../quizzes/gift/gift-parser';
import { writeGift } from '../quizzes/gift/gift-writer';
import { validateQuestion } from '../quizzes/grading/grade-question';
import type { QuestionDefinition } from '../quizzes/question.types';
import type { QuizDefinition } from '../quizzes/quizzes.service';

// The editable course, as stored whole in course_drafts.content. Lessons and quizzes are found
// by slug (their identity once live); each editable part carries a revision that grows with
// every saved change, so a form opened at an older revision can tell it would overwrite someone.

export interface DraftModule {
  slug: string;
  title: string;
  minutes: number;
  required: boolean;
  bodyMarkdown: string;
  revision: number;
}

export type QuizSettings = Omit<QuizDefinition, 'questions'>;

export interface DraftQuiz extends QuizSettings {
  /** Always named: a question's name is its identity once live (statistics hang on it). */
  questions: QuestionDefinition[];
  revision: number;
}

export interface DraftContent {
  title: string;
  summary: string;
  language: string;
  level: CourseLevel;
  estimatedMinutes: number;
  outcomes: string[];
  /** A stored image's name (see LessonImagesService.storeCover); absent in drafts saved before covers existed. */
  coverImage?: string | null;
  /** Revision of the course settings (title, summary, …). */
  revision: number;
  modules: DraftModule[];
  quizzes: DraftQuiz[];
  /** Set when content/ replaced the live course while this draft had unpublished changes. */
  liveReplacedByImportAt?: string;
}

/** Limits shared with the content/ importer, so whatever is published here can be exported and imported back. */
export const LIMITS = {
  title: 200,
  summary: 1000,
  outcome: 500,
  slug: 80,
  lessonChars: 60_000,
  lessonMinutes: 600,
  passMark: [1, 100],
  attempts: [0, 100],
  timeLimitMinutes: [0, 600],
  draw: [0, 500],
} as const;

export const DEFAULT_QUIZ_SETTINGS: Omit<QuizSettings, 'slug' | 'title' | 'module' | 'final' | 'required'> = {
  passMark: 70,
  attempts: 0,
  timeLimitMinutes: 0,
  draw: 0,
  shuffleQuestions: true,
  shuffleOptions: true,
  grading: 'highest',
  review: 'full',
};

/** A slug from a title: lower-case ASCII letters, digits and hyphens; empty for a title without any (e.g. Urdu). */
export function slugify(text: string, max = 60): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

/** `base`, or `base-2`, `base-3`, … whichever is not taken yet. */
export function uniqueSlug(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
  }
}

export function isSlug(value: string, max: number = LIMITS.slug): boolean {
  return SLUG_PATTERN.test(value) && value.length <= max;
}

/** The live course as a draft: what an editor starts from when nobody has edited it in the browser yet. */
export function draftFromLive(
  course: Course,
  modules: CourseModule[],
  quizzes: { quiz: Quiz; moduleSlug: string | null; questions: QuestionDefinition[] }[],
): DraftContent {
  return {
    title: course.title,
    summary: course.summary,
    language: course.language,
    level: course.level,
    estimatedMinutes: course.estimatedMinutes,
    outcomes: [...course.outcomes],
    coverImage: course.coverImage,
    revision: 1,
    modules: modules.map((m) => ({
      slug: m.slug,
      title: m.title,
      minutes: m.minutes,
      required: m.required,
      bodyMarkdown: m.bodyMarkdown,
      revision: 1,
    })),
    quizzes: quizzes.map(({ quiz, moduleSlug, questions }) => ({
      slug: quiz.slug,
      title: quiz.title,
      module: moduleSlug,
      final: quiz.isFinal,
      required: quiz.required || quiz.isFinal,
      passMark: quiz.passMark,
      attempts: quiz.maxAttempts,
      timeLimitMinutes: Math.round(quiz.timeLimitSeconds / 60),
      draw: quiz.drawCount,
      shuffleQuestions: quiz.shuffleQuestions,
      shuffleOptions: quiz.shuffleOptions,
      grading: quiz.grading,
      review: quiz.review,
      questions,
      revision: 1,
    })),
  };
}

/**
 * The live course replaced by `next` (after content/ was imported), keeping the revision
 * counters growing: a lesson whose text changed gets a new revision, so a form opened on the
 * old text is told it changed.
 */
export function rebaseDraft(previous: DraftContent, next: DraftContent): DraftContent {
  const oldModules = new Map(previous.modules.map((m) => [m.slug, m]));
  const oldQuizzes = new Map(previous.quizzes.map((q) => [q.slug, q]));
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const bump = <T extends { revision: number }>(old: T | undefined, now: T, equal: boolean) =>
    old ? (equal ? old.revision : old.revision + 1) : now.revision;
  return {
    ...next,
    revision: previous.revision + 1,
    modules: next.modules.map((m) => {
      const old = oldModules.get(m.slug);
      return { ...m, revision: bump(old, m, !!old && same({ ...old, revision: 0 }, { ...m, revision: 0 })) };
    }),
    quizzes: next.quizzes.map((q) => {
      const old = oldQuizzes.get(q.slug);
      return { ...q, revision: bump(old, q, !!old && same({ ...old, revision: 0 }, { ...q, revision: 0 })) };
    }),
  };
}

export function courseDefinitionOf(slug: string, draft: DraftContent): CourseDefinition {
  return {
    slug,
    title: draft.title,
    summary: draft.summary,
    language: draft.language,
    level: draft.level,
    estimatedMinutes: draft.estimatedMinutes,
    outcomes: [...draft.outcomes],
    coverImage: draft.coverImage ?? null,
    modules: draft.modules.map(({ revision: _revision, ...module }) => module),
  };
}

export function quizDefinitionsOf(draft: DraftContent): QuizDefinition[] {
  return draft.quizzes.map(({ revision: _revision, ...quiz }) => ({
    ...quiz,
    required: quiz.required || quiz.final,
  }));
}

/**
 * A question as it will be stored: checked like any form-built question, then written as GIFT
 * and read back, so the draft holds exactly what an export and a re-import produce.
 */
export function normalizeQuestion(question: QuestionDefinition): {
  question: QuestionDefinition | null;
  problems: string[];
} {
  const problems = validateQuestion(question);
  if (problems.length) return { question: null, problems };
  const { questions, errors } = parseGift(writeGift([question]));
  if (errors.length || questions.length !== 1)
    return { question: null, problems: errors.map((e) => e.message) };
  const { line: _line, ...parsed } = questions[0];
  return { question: parsed, problems: [] };
}

/** A name for a question the trainer did not name: from its text, unique within the quiz. */
export function questionName(question: QuestionDefinition, taken: Iterable<string>): string {
  return uniqueSlug(slugify(`${question.text} ${question.textAfter ?? ''}`, 40) || 'question', taken);
}

export function moduleBySlug(draft: DraftContent, slug: string): DraftModule | undefined {
  return draft.modules.find((m) => m.slug === slug);
}

export function quizBySlug(draft: DraftContent, slug: string): DraftQuiz | undefined {
  return draft.quizzes.find((q) => q.slug === slug);
}
