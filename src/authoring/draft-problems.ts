import { COURSE_LEVELS } from '../courses/course.entity';
import { writeGift } from '../quizzes/gift/gift-writer';
import { validateQuestion } from '../quizzes/grading/grade-question';
import { LOCALES } from '../users/user.entity';
import { DraftContent, isSlug, LIMITS } from './draft-content';

/** One reason a draft cannot be published: a translation key and what to fill into it. */
export interface DraftProblem {
  key: string;
  params: Record<string, string | number>;
}

/** The GIFT checker of the quiz module (line-numbered problems of a GIFT text). */
export type GiftCheck = (source: string) => { line: number; message: string }[];

const within = (value: number, [min, max]: readonly [number, number]) =>
  Number.isInteger(value) && value >= min && value <= max;

/**
 * Everything that stops a draft from going live, all at once: the course needs a lesson, its
 * completion rule must be satisfiable (something required, every required quiz passable),
 * every quiz must be valid, and the whole must fit the content/ format so it can be exported.
 */
export function findDraftProblems(draft: DraftContent, checkGift: GiftCheck): DraftProblem[] {
  const problems: DraftProblem[] = [];
  const add = (key: string, params: Record<string, string | number> = {}) =>
    problems.push({ key: `author.problems.${key}`, params });

  if (!draft.title.trim() || draft.title.length > LIMITS.title) add('title');
  if (!draft.summary.trim() || draft.summary.length > LIMITS.summary) add('summary');
  if (!(LOCALES as readonly string[]).includes(draft.language)) add('language');
  if (!(COURSE_LEVELS as readonly string[]).includes(draft.level)) add('level');
  if (!(draft.estimatedMinutes > 0)) add('hours');
  if (draft.outcomes.filter((o) => o.trim()).length === 0) add('outcomes');

  if (draft.modules.length === 0) add('no_lessons');
  draft.modules.forEach((module, index) => {
    const lesson = module.title.trim() || String(index + 1);
    if (!isSlug(module.slug, 100)) add('lesson_slug', { lesson });
    if (!module.title.trim() || module.title.length > LIMITS.title)
      add('lesson_title', { number: index + 1 });
    if (!module.bodyMarkdown.trim()) add('lesson_empty', { lesson });
    if (module.bodyMarkdown.length > LIMITS.lessonChars)
      add('lesson_too_long', { lesson, max: LIMITS.lessonChars });
    if (!within(module.minutes, [1, LIMITS.lessonMinutes])) add('lesson_minutes', { lesson });
  });

  const finals = draft.quizzes.filter((q) => q.final);
  if (finals.length > 1) add('two_finals');
  const requiredSteps =
    draft.modules.filter((m) => m.required).length +
    draft.quizzes.filter((q) => q.required || q.final).length;
  if (draft.modules.length > 0 && requiredSteps === 0) add('nothing_required');

  const lessonSlugs = new Set(draft.modules.map((m) => m.slug));
  for (const quiz of draft.quizzes) {
    const params = { quiz: quiz.title || quiz.slug };
    if (!quiz.title.trim() || quiz.title.length > LIMITS.title) add('quiz_title', { quiz: quiz.slug });
    if (!quiz.final && (!quiz.module || !lessonSlugs.has(quiz.module))) add('quiz_lesson', params);
    if (
      !within(quiz.passMark, LIMITS.passMark) ||
      !within(quiz.attempts, LIMITS.attempts) ||
      !within(quiz.timeLimitMinutes, LIMITS.timeLimitMinutes) ||
      !within(quiz.draw, LIMITS.draw)
    ) {
      add('quiz_settings', params);
    }
    if (quiz.questions.length === 0) {
      add(quiz.required || quiz.final ? 'required_quiz_empty' : 'quiz_empty', params);
      continue;
    }
    let valid = true;
    quiz.questions.forEach((question, index) => {
      for (const message of validateQuestion(question)) {
        valid = false;
        add('question', { ...params, number: index + 1, message });
      }
    });
    // The pool as it will be exported: anything GIFT cannot carry (or a repeated name) shows here.
    if (valid)
      for (const error of checkGift(writeGift(quiz.questions)))
        add('quiz_gift', { ...params, line: error.line, message: error.message });
  }
  return problems;
}
