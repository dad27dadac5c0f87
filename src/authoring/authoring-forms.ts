import { FormInvalidError } from '../common/domain-error';
import { COURSE_LEVELS, CourseLevel } from '../courses/course.entity';
import { QUIZ_GRADING, QUIZ_REVIEW } from '../quizzes/entities/quiz.entity';
import { LOCALES } from '../users/user.entity';
import { DEFAULT_QUIZ_SETTINGS, isSlug, LIMITS, QuizSettings } from './draft-content';

// Reading the authoring forms: each returns the typed input or throws FormInvalidError with every
// field problem at once (keys are translation keys), which renderForm shows next to the fields.

type Body = Record<string, unknown>;
type Errors = Record<string, string>;

const str = (body: Body, key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
const checked = (body: Body, key: string) => ['on', 'true', '1', 'yes'].includes(str(body, key));

function failIfAny(errors: Errors): void {
  if (Object.keys(errors).length) throw new FormInvalidError(errors);
}

function requiredText(body: Body, key: string, max: number, errors: Errors): string {
  const value = str(body, key).trim();
  if (!value) errors[key] = 'validation.required';
  else if (value.length > max) errors[key] = 'validation.too_long';
  return value;
}

function integer(
  body: Body,
  key: string,
  [min, max]: readonly [number, number],
  fallback: number,
  errors: Errors,
): number {
  const raw = str(body, key).trim();
  if (raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) errors[key] = 'author.number_between';
  return value;
}

/** The revision a form was opened at (a hidden field). */
export function revisionOf(body: Body): number {
  const value = Number(str(body, 'revision'));
  return Number.isInteger(value) && value >= 0 ? value : -1;
}

export interface CourseSettingsInput {
  title: string;
  summary: string;
  language: string;
  level: CourseLevel;
  estimatedMinutes: number;
  outcomes: string[];
}

export function readCourseSettings(body: Body, errors: Errors = {}): CourseSettingsInput {
  const title = requiredText(body, 'title', LIMITS.title, errors);
  const summary = requiredText(body, 'summary', LIMITS.summary, errors);
  const language = str(body, 'language');
  if (!(LOCALES as readonly string[]).includes(language)) errors.language = 'validation.choose_option';
  const level = str(body, 'level') as CourseLevel;
  if (!(COURSE_LEVELS as readonly string[]).includes(level)) errors.level = 'validation.choose_option';
  const hours = Number(str(body, 'hours').trim().replace(',', '.'));
  if (!str(body, 'hours').trim()) errors.hours = 'validation.required';
  else if (!Number.isFinite(hours) || hours <= 0 || hours > 1000) errors.hours = 'author.hours_invalid';
  const outcomes = str(body, 'outcomes')
    .split(/\r?\n/)
    .map((line) => line.replace(/^\s*[-*•]\s*/, '').trim())
    .filter(Boolean);
  if (outcomes.length === 0) errors.outcomes = 'author.outcomes_required';
  else if (outcomes.some((o) => o.length > LIMITS.outcome)) errors.outcomes = 'validation.too_long';
  failIfAny(errors);
  return { title, summary, language, level, estimatedMinutes: Math.max(1, Math.round(hours * 60)), outcomes };
}

export function readNewCourse(body: Body): CourseSettingsInput & { slug: string } {
  const errors: Errors = {};
  const slug = str(body, 'slug').trim().toLowerCase();
  if (slug && !isSlug(slug)) errors.slug = 'author.slug_invalid';
  return { ...readCourseSettings(body, errors), slug };
}

export interface NewPartInput {
  title: string;
  slug: string;
}

/** A new lesson or quiz: a title and, optionally, the slug (made from the title otherwise). */
export function readNewPart(body: Body): NewPartInput {
  const errors: Errors = {};
  const title = requiredText(body, 'title', LIMITS.title, errors);
  const slug = str(body, 'slug').trim().toLowerCase();
  if (slug && !isSlug(slug)) errors.slug = 'author.slug_invalid';
  failIfAny(errors);
  return { title, slug };
}

export interface LessonInput {
  title: string;
  minutes: number;
  required: boolean;
  bodyMarkdown: string;
}

export function readLesson(body: Body): LessonInput {
  const errors: Errors = {};
  const title = requiredText(body, 'title', LIMITS.title, errors);
  const minutes = integer(body, 'minutes', [1, LIMITS.lessonMinutes], NaN, errors);
  if (Number.isNaN(minutes) && !errors.minutes) errors.minutes = 'validation.required';
  // Line endings as the content/ files keep them; surrounding blank lines are not part of the lesson.
  const bodyMarkdown = str(body, 'bodyMarkdown').replace(/\r\n?/g, '\n').trim();
  if (bodyMarkdown.length > LIMITS.lessonChars) errors.bodyMarkdown = 'author.lesson_too_long';
  failIfAny(errors);
  return { title, minutes, required: checked(body, 'required'), bodyMarkdown };
}

export type QuizSettingsInput = Omit<QuizSettings, 'slug'>;

/** Placement: `final` for the final assessment, otherwise the slug of the lesson the check follows. */
export function readQuizSettings(body: Body, lessons: string[]): QuizSettingsInput {
  const errors: Errors = {};
  const title = requiredText(body, 'title', LIMITS.title, errors);
  const placement = str(body, 'placement');
  const final = placement === 'final';
  if (!final && !lessons.includes(placement)) errors.placement = 'validation.choose_option';
  const grading = str(body, 'grading') as QuizSettings['grading'];
  if (!(QUIZ_GRADING as readonly string[]).includes(grading)) errors.grading = 'validation.choose_option';
  const review = str(body, 'review') as QuizSettings['review'];
  if (!(QUIZ_REVIEW as readonly string[]).includes(review)) errors.review = 'validation.choose_option';
  const settings: QuizSettingsInput = {
    title,
    module: final ? null : placement,
    final,
    required: final || checked(body, 'required'),
    passMark: integer(body, 'passMark', LIMITS.passMark, DEFAULT_QUIZ_SETTINGS.passMark, errors),
    attempts: integer(body, 'attempts', LIMITS.attempts, 0, errors),
    timeLimitMinutes: integer(body, 'timeLimitMinutes', LIMITS.timeLimitMinutes, 0, errors),
    draw: integer(body, 'draw', LIMITS.draw, 0, errors),
    shuffleQuestions: checked(body, 'shuffleQuestions'),
    shuffleOptions: checked(body, 'shuffleOptions'),
    grading,
    review,
  };
  failIfAny(errors);
  return settings;
}

export function readNewQuiz(
  body: Body,
  lessons: string[],
): NewPartInput & { final: boolean; module: string | null } {
  const errors: Errors = {};
  const title = requiredText(body, 'title', LIMITS.title, errors);
  const slug = str(body, 'slug').trim().toLowerCase();
  if (slug && !isSlug(slug)) errors.slug = 'author.slug_invalid';
  const placement = str(body, 'placement');
  const final = placement === 'final';
  if (!final && !lessons.includes(placement)) errors.placement = 'validation.choose_option';
  failIfAny(errors);
  return { title, slug, final, module: final ? null : placement };
}
