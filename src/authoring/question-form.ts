import type {
  ChoiceOption,
  MatchPair,
  NumericAnswer,
  QuestionDefinition,
  QuestionType,
  TextFormat,
} from '../quizzes/question.types';

// The quiz builder's question form: one form for every question type, with rows for choices,
// accepted answers, numeric answers and matching pairs. What the trainer typed is kept as text
// (QuestionForm) so a form with problems comes back exactly as it was sent.

export const QUESTION_TYPES: readonly QuestionType[] = [
  'single',
  'multiple',
  'truefalse',
  'short',
  'numeric',
  'matching',
  'missingword',
  'essay',
];
export const TEXT_FORMATS: readonly TextFormat[] = ['moodle', 'markdown', 'plain', 'html'];

export interface OptionRow {
  text: string;
  weight: string;
  feedback: string;
  correct: boolean;
}
export interface NumericRow {
  value: string;
  tolerance: string;
  min: string;
  max: string;
  weight: string;
  feedback: string;
}
export interface PairRow {
  left: string;
  right: string;
}

export interface QuestionForm {
  type: QuestionType;
  name: string;
  format: TextFormat;
  text: string;
  textAfter: string;
  generalFeedback: string;
  category: string;
  options: OptionRow[];
  numeric: NumericRow[];
  pairs: PairRow[];
  answer: string;
  trueFeedback: string;
  falseFeedback: string;
}

const MIN_ROWS = 4;
const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** Rows of a `name[i][field]` group as the body parser hands them over (an array, or an object keyed by index). */
function rowsOf(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value))
    return value.map((row) => (row && typeof row === 'object' ? (row as Record<string, unknown>) : {}));
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([key]) => /^\d+$/.test(key))
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, row]) => (row && typeof row === 'object' ? (row as Record<string, unknown>) : {}));
  }
  return [];
}

export function isQuestionType(value: unknown): value is QuestionType {
  return (QUESTION_TYPES as readonly unknown[]).includes(value);
}

/** The form as the trainer sent it. */
export function questionFormFromBody(body: Record<string, unknown>, type: QuestionType): QuestionForm {
  const correct = str(body.correct);
  return {
    type,
    name: str(body.name).trim(),
    format: (TEXT_FORMATS as readonly unknown[]).includes(body.format)
      ? (body.format as TextFormat)
      : 'moodle',
    text: str(body.text),
    textAfter: str(body.textAfter),
    generalFeedback: str(body.generalFeedback),
    category: str(body.category).trim(),
    options: rowsOf(body.options).map((row, index) => ({
      text: str(row.text),
      weight: str(row.weight),
      feedback: str(row.feedback),
      correct: correct === String(index),
    })),
    numeric: rowsOf(body.numeric).map((row) => ({
      value: str(row.value),
      tolerance: str(row.tolerance),
      min: str(row.min),
      max: str(row.max),
      weight: str(row.weight),
      feedback: str(row.feedback),
    })),
    pairs: rowsOf(body.pairs).map((row) => ({ left: str(row.left), right: str(row.right) })),
    answer: str(body.answer),
    trueFeedback: str(body.trueFeedback),
    falseFeedback: str(body.falseFeedback),
  };
}

/** A stored question as the form shows it. */
export function questionFormFromDefinition(q: QuestionDefinition): QuestionForm {
  return {
    type: q.type,
    name: q.name ?? '',
    format: q.format,
    text: q.text,
    textAfter: q.textAfter ?? '',
    generalFeedback: q.generalFeedback ?? '',
    category: q.category ?? '',
    options: (q.options ?? []).map((o) => ({
      text: o.text,
      weight: String(o.weight),
      feedback: o.feedback ?? '',
      correct: o.weight === 100,
    })),
    numeric: (q.numeric ?? []).map((n) =>
      n.kind === 'range'
        ? {
            value: '',
            tolerance: '',
            min: String(n.min),
            max: String(n.max),
            weight: String(n.weight),
            feedback: n.feedback ?? '',
          }
        : {
            value: String(n.value),
            tolerance: String(n.tolerance),
            min: '',
            max: '',
            weight: String(n.weight),
            feedback: n.feedback ?? '',
          },
    ),
    pairs: (q.pairs ?? []).map((p) => ({ left: p.left, right: p.right })),
    answer: q.answer === undefined ? '' : String(q.answer),
    trueFeedback: q.trueFeedback ?? '',
    falseFeedback: q.falseFeedback ?? '',
  };
}

export function emptyQuestionForm(type: QuestionType): QuestionForm {
  return withBlankRows(questionFormFromBody({}, type), 0);
}

/** The form with blank rows to type into: at least MIN_ROWS, and `extra` more on request. */
export function withBlankRows(form: QuestionForm, extra: number): QuestionForm {
  const fill = <T>(rows: T[], blank: () => T) => {
    const count = Math.max(MIN_ROWS - rows.length, 0) + extra;
    return [...rows, ...Array.from({ length: count }, blank)];
  };
  const uses = (...types: QuestionType[]) => types.includes(form.type);
  return {
    ...form,
    options: uses('single', 'multiple', 'short', 'missingword')
      ? fill(form.options, () => ({ text: '', weight: '', feedback: '', correct: false }))
      : form.options,
    numeric: uses('numeric')
      ? fill(form.numeric, () => ({ value: '', tolerance: '', min: '', max: '', weight: '', feedback: '' }))
      : form.numeric,
    pairs: uses('matching') ? fill(form.pairs, () => ({ left: '', right: '' })) : form.pairs,
  };
}

const blank = (text: string) => text.trim() === '';
/** A number typed in a form; NaN (which the validator reports) when it is not one. */
const number = (text: string, fallback: number) =>
  blank(text) ? fallback : Number(text.trim().replace(',', '.'));
const optional = (text: string) => (blank(text) ? undefined : text.trim());

/** The question the form describes; blank rows are ignored. Checking it is the validator's job. */
export function questionFromForm(form: QuestionForm): QuestionDefinition {
  const q: QuestionDefinition = { type: form.type, format: form.format, text: form.text.trim() };
  if (form.name) q.name = form.name;
  if (form.category) q.category = form.category;
  if (!blank(form.generalFeedback)) q.generalFeedback = form.generalFeedback.trim();
  if (form.type === 'missingword' && !blank(form.textAfter)) q.textAfter = form.textAfter.trim();

  const filled = form.options.filter((o) => !blank(o.text) || !blank(o.feedback));
  const option = (o: OptionRow, weight: number): ChoiceOption => ({
    text: o.text.trim(),
    weight,
    ...(optional(o.feedback) ? { feedback: optional(o.feedback) } : {}),
  });
  switch (form.type) {
    case 'single':
    case 'missingword':
      q.options = filled.map((o) => option(o, o.correct ? 100 : 0));
      break;
    case 'multiple':
      q.options = filled.map((o) => option(o, number(o.weight, 0)));
      break;
    case 'short':
      q.options = filled.map((o) => option(o, number(o.weight, 100)));
      break;
    case 'truefalse':
      if (form.answer === 'true' || form.answer === 'false') q.answer = form.answer === 'true';
      if (!blank(form.trueFeedback)) q.trueFeedback = form.trueFeedback.trim();
      if (!blank(form.falseFeedback)) q.falseFeedback = form.falseFeedback.trim();
      break;
    case 'numeric':
      q.numeric = form.numeric
        .filter((n) => [n.value, n.tolerance, n.min, n.max, n.feedback].some((v) => !blank(v)))
        .map((n): NumericAnswer => {
          const feedback = optional(n.feedback);
          const weight = number(n.weight, 100);
          return !blank(n.min) || !blank(n.max)
            ? {
                kind: 'range',
                min: number(n.min, NaN),
                max: number(n.max, NaN),
                weight,
                ...(feedback ? { feedback } : {}),
              }
            : {
                kind: 'tolerance',
                value: number(n.value, NaN),
                tolerance: number(n.tolerance, 0),
                weight,
                ...(feedback ? { feedback } : {}),
              };
        });
      break;
    case 'matching':
      q.pairs = form.pairs
        .filter((p) => !blank(p.left) || !blank(p.right))
        .map((p): MatchPair => ({ left: p.left.trim(), right: p.right.trim() }));
      break;
    case 'essay':
      break;
  }
  return q;
}
