import type { Response } from 'express';
import type { Course } from '../courses/course.entity';
import { COURSE_LEVELS } from '../courses/course.entity';
import { I18nService } from '../i18n/i18n.service';
import { QUIZ_GRADING, QUIZ_REVIEW } from '../quizzes/entities/quiz.entity';
import { LOCALES, Locale } from '../users/user.entity';
import type { DraftContent, DraftQuiz } from './draft-content';
import type { DraftProblem } from './draft-problems';

// Small helpers shared by the authoring controllers: the course header every authoring page
// shows, and the option lists of the forms.

export function courseHeader(course: Course) {
  return {
    id: course.id,
    slug: course.slug,
    title: course.title,
    status: course.status,
    statusKey: `author.status.${course.status}`,
    language: course.language,
  };
}

export function translateProblems(i18n: I18nService, res: Response, problems: DraftProblem[]): string[] {
  const locale: Locale = res.locals.locale ?? 'en';
  return problems.map((p) => i18n.translate(locale, p.key, p.params));
}

export const choices = (values: readonly string[], selected: string, keyPrefix: string) =>
  values.map((value) => ({ value, selected: value === selected, labelKey: `${keyPrefix}${value}` }));

/** Select options of the course settings form. */
export function settingsOptions(values: Record<string, string>) {
  return {
    languages: choices(LOCALES, values.language ?? 'en', 'language.'),
    levels: choices(COURSE_LEVELS, values.level ?? 'beginner', 'level.'),
  };
}

/** The settings form's values from a draft. */
export function settingsValues(
  draft: Pick<DraftContent, 'title' | 'summary' | 'language' | 'level' | 'estimatedMinutes' | 'outcomes'> & {
    revision?: number;
  },
) {
  return {
    title: draft.title,
    summary: draft.summary,
    language: draft.language,
    level: draft.level,
    hours: String(Math.round((draft.estimatedMinutes / 60) * 100) / 100),
    outcomes: draft.outcomes.join('\n'),
    revision: String(draft.revision ?? ''),
  };
}

/** Where a quiz sits: after one of the lessons, or the final assessment. */
export function placementOptions(draft: DraftContent, selected: string) {
  return [
    { value: 'final', label: null, selected: selected === 'final' },
    ...draft.modules.map((m) => ({ value: m.slug, label: m.title, selected: selected === m.slug })),
  ];
}

export function quizValues(quiz: DraftQuiz) {
  return {
    title: quiz.title,
    placement: quiz.final ? 'final' : (quiz.module ?? ''),
    required: quiz.required || quiz.final,
    passMark: String(quiz.passMark),
    attempts: String(quiz.attempts),
    timeLimitMinutes: String(quiz.timeLimitMinutes),
    draw: String(quiz.draw),
    shuffleQuestions: quiz.shuffleQuestions,
    shuffleOptions: quiz.shuffleOptions,
    grading: quiz.grading,
    review: quiz.review,
    revision: String(quiz.revision),
  };
}

export function quizOptions(values: { grading?: string; review?: string }) {
  return {
    gradings: choices(QUIZ_GRADING, values.grading ?? 'highest', 'author.quiz.grading_'),
    reviews: choices(QUIZ_REVIEW, values.review ?? 'full', 'author.quiz.review_'),
  };
}
