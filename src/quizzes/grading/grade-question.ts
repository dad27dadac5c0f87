import type {
  ChoiceOption,
  GradeResult,
  GradeStatus,
  MatchPair,
  NumericAnswer,
  QuestionDefinition,
  QuestionResponse,
  TextFormat,
} from '../question.types';

/** How far (in percentage points) the positive weights of a multiple-response question may miss 100. */
export const WEIGHT_SUM_TOLERANCE = 0.01;

const TEXT_FORMATS: readonly TextFormat[] = ['moodle', 'html', 'markdown', 'plain'];

// ---------------------------------------------------------------------------------------------
// Structural checks, shared with the GIFT parser (which turns targets into line numbers)
// ---------------------------------------------------------------------------------------------

/** What a structural problem is about, so a parser can point at the right source line. */
export type ProblemTarget =
  | { kind: 'question' }
  | { kind: 'answers' }
  | { kind: 'option'; index: number }
  | { kind: 'pair'; index: number }
  | { kind: 'numeric'; index: number };

export interface QuestionProblem {
  message: string;
  target: ProblemTarget;
}

type Report = (message: string, target?: ProblemTarget) => void;

const QUESTION: ProblemTarget = { kind: 'question' };
const ANSWERS: ProblemTarget = { kind: 'answers' };

/** Every structural problem of a question, each with what it is about. */
export function findQuestionProblems(q: QuestionDefinition): QuestionProblem[] {
  const problems: QuestionProblem[] = [];
  const report: Report = (message, target = QUESTION) => problems.push({ message, target });

  if (!TEXT_FORMATS.includes(q.format)) report(`unknown text format "${String(q.format)}"`);
  if (isBlank(q.text) && isBlank(q.textAfter)) report('question text is empty');
  // A category is written on its own `$CATEGORY:` line, so it cannot hold a line break.
  if (q.category !== undefined && /[\r\n]/.test(q.category)) report('category must fit on one line');

  switch (q.type) {
    case 'single':
    case 'missingword':
      checkSingleChoice(q.options ?? [], q.type === 'single' ? 'single-choice' : 'missing-word', report);
      break;
    case 'multiple':
      checkMultipleResponse(q.options ?? [], report);
      break;
    case 'truefalse':
      if (typeof q.answer !== 'boolean')
        report('a true/false question needs its answer, true or false', ANSWERS);
      break;
    case 'short':
      checkShortAnswer(q.options ?? [], report);
      break;
    case 'numeric':
      checkNumeric(q.numeric ?? [], report);
      break;
    case 'matching':
      checkMatching(q.pairs ?? [], report);
      break;
    case 'essay':
      break;
    default:
      report(`unknown question type "${String(q.type)}"`);
  }
  return problems;
}

/** The structural problems of a question built from a form, as messages; empty when it can be used. */
export function validateQuestion(q: QuestionDefinition): string[] {
  return findQuestionProblems(q).map((problem) => problem.message);
}

function isBlank(text: string | undefined): boolean {
  return text === undefined || text.trim() === '';
}

function checkOptionBasics(options: ChoiceOption[], noun: string, report: Report): void {
  options.forEach((option, index) => {
    const target: ProblemTarget = { kind: 'option', index };
    if (isBlank(option.text)) report(`${noun} ${index + 1} has no text`, target);
    if (!isWeight(option.weight)) {
      report(`${noun} ${index + 1} has weight ${String(option.weight)}%, outside -100..100`, target);
    }
  });
}

function isWeight(weight: number): boolean {
  return Number.isFinite(weight) && weight >= -100 && weight <= 100;
}

function checkSingleChoice(options: ChoiceOption[], label: string, report: Report): void {
  if (options.length < 2) report(`a ${label} question needs at least two options`, ANSWERS);
  checkOptionBasics(options, 'option', report);

  const rightOnes = options.flatMap((option, index) => (option.weight === 100 ? [index] : []));
  if (rightOnes.length === 0)
    report(`a ${label} question needs exactly one right answer, found none`, ANSWERS);
  if (rightOnes.length > 1) {
    // Point at the first surplus right answer: that is the line an author has to fix.
    report(`a ${label} question needs exactly one right answer, found ${rightOnes.length}`, {
      kind: 'option',
      index: rightOnes[1],
    });
  }
  options.forEach((option, index) => {
    if (option.weight !== 100 && option.weight !== 0 && isWeight(option.weight)) {
      report(
        `option ${index + 1} has weight ${option.weight}%; a ${label} option is either right (100%) or wrong (0%)`,
        { kind: 'option', index },
      );
    }
  });
}

function checkMultipleResponse(options: ChoiceOption[], report: Report): void {
  if (options.length < 2) report('a multiple-response question needs at least two options', ANSWERS);
  checkOptionBasics(options, 'option', report);
  if (!options.every((option) => isWeight(option.weight))) return;

  const positiveSum = options.reduce((sum, option) => sum + Math.max(option.weight, 0), 0);
  if (Math.abs(positiveSum - 100) > WEIGHT_SUM_TOLERANCE) {
    report(`the positive weights add up to ${roundForMessage(positiveSum)}%, not 100%`, ANSWERS);
  }
}

function roundForMessage(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function checkShortAnswer(options: ChoiceOption[], report: Report): void {
  if (options.length === 0) report('a short-answer question needs at least one accepted answer', ANSWERS);
  checkOptionBasics(options, 'answer', report);
  if (options.length > 0 && !options.some((option) => option.weight === 100)) {
    report('a short-answer question needs an answer worth 100%', ANSWERS);
  }
}

function checkNumeric(answers: NumericAnswer[], report: Report): void {
  if (answers.length === 0) report('a numeric question needs at least one answer', ANSWERS);
  answers.forEach((answer, index) => {
    const target: ProblemTarget = { kind: 'numeric', index };
    const label = `answer ${index + 1}`;
    if (!isWeight(answer.weight)) {
      report(`${label} has weight ${String(answer.weight)}%, outside -100..100`, target);
    }
    if (answer.kind === 'tolerance') {
      if (!Number.isFinite(answer.value)) report(`${label}: the value is not a number`, target);
      if (!Number.isFinite(answer.tolerance)) report(`${label}: the tolerance is not a number`, target);
      else if (answer.tolerance < 0) report(`${label}: the tolerance must not be negative`, target);
    } else if (!Number.isFinite(answer.min) || !Number.isFinite(answer.max)) {
      report(`${label}: a range bound is not a number`, target);
    } else if (answer.min > answer.max) {
      report(`${label}: the range starts at ${answer.min}, above its end ${answer.max}`, target);
    }
  });
  if (answers.length > 0 && !answers.some((answer) => answer.weight === 100)) {
    report('a numeric question needs an answer worth 100%', ANSWERS);
  }
}

function checkMatching(pairs: MatchPair[], report: Report): void {
  const realPairs = realPairsOf(pairs).length;
  if (realPairs < 2) report(`a matching question needs at least 2 pairs, found ${realPairs}`, ANSWERS);
  pairs.forEach((pair, index) => {
    if (isBlank(pair.right)) report(`pair ${index + 1} has no right-hand text`, { kind: 'pair', index });
  });
}

// ---------------------------------------------------------------------------------------------
// Grading
// ---------------------------------------------------------------------------------------------

/** An answered, machine-gradable response: the score before clamping and the feedback it earned. */
interface Outcome {
  score: number;
  feedback: string[];
}

type TypeGrade = Outcome | 'unanswered';

/** Grade one response on the server. Never throws and never awards marks for malformed data. */
export function gradeQuestion(q: QuestionDefinition, r: QuestionResponse | null | undefined): GradeResult {
  const general = q.generalFeedback ? [q.generalFeedback] : [];
  // A response of another type (e.g. the question was edited after the attempt started) answers nothing.
  if (!r || r.type !== q.type) return { score: 0, status: 'unanswered', feedback: general };

  if (r.type === 'essay') {
    if (r.text.trim() === '') return { score: 0, status: 'unanswered', feedback: general };
    return { score: null, status: 'needs_grading', feedback: general };
  }

  const graded = gradeByType(q, r);
  if (graded === 'unanswered') return { score: 0, status: 'unanswered', feedback: general };
  const score = normaliseScore(graded.score);
  return { score, status: statusOf(score), feedback: [...graded.feedback.filter(Boolean), ...general] };
}

function gradeByType(q: QuestionDefinition, r: QuestionResponse): TypeGrade {
  switch (r.type) {
    case 'single':
    case 'missingword':
      return gradeOneChoice(q.options ?? [], r.option);
    case 'multiple':
      return gradeSeveralChoices(q.options ?? [], r.options);
    case 'truefalse':
      return gradeTrueFalse(q, r.value);
    case 'short':
      return gradeShortAnswer(q.options ?? [], r.text);
    case 'numeric':
      return gradeNumeric(q.numeric ?? [], r.text);
    case 'matching':
      return gradeMatching(q.pairs ?? [], r.rights);
    case 'essay':
      return 'unanswered';
  }
}

/** Clamp to 0..1, and let float dust (three thirds of 33.33333%) still count as full marks. */
function normaliseScore(raw: number): number {
  if (!(raw > 0)) return 0;
  if (raw >= 1 - WEIGHT_SUM_TOLERANCE / 100) return 1;
  return Math.round(raw * 1e9) / 1e9;
}

function statusOf(score: number): GradeStatus {
  if (score >= 1) return 'correct';
  if (score <= 0) return 'incorrect';
  return 'partial';
}

function feedbackOf(item: { feedback?: string } | undefined): string[] {
  return item?.feedback ? [item.feedback] : [];
}

function gradeOneChoice(options: ChoiceOption[], chosen: number | null): TypeGrade {
  if (chosen === null) return 'unanswered';
  const option = Number.isInteger(chosen) ? options[chosen] : undefined;
  if (!option) return { score: 0, feedback: [] };
  return { score: option.weight / 100, feedback: feedbackOf(option) };
}

function gradeSeveralChoices(options: ChoiceOption[], chosen: number[]): TypeGrade {
  if (chosen.length === 0) return 'unanswered';
  // Count each option once and report feedback in the canonical order, whatever order was sent.
  const picked = [...new Set(chosen)]
    .filter((index) => Number.isInteger(index) && options[index] !== undefined)
    .sort((a, b) => a - b)
    .map((index) => options[index]);
  const sum = picked.reduce((total, option) => total + option.weight, 0);
  return { score: sum / 100, feedback: picked.flatMap(feedbackOf) };
}

function gradeTrueFalse(q: QuestionDefinition, value: boolean | null): TypeGrade {
  if (value === null) return 'unanswered';
  const feedback = value ? q.trueFeedback : q.falseFeedback;
  return { score: value === q.answer ? 1 : 0, feedback: feedback ? [feedback] : [] };
}

/** Case-insensitive, trimmed, inner whitespace collapsed (and Unicode-normalised, for Urdu input). */
function normaliseShortAnswer(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Glob match where `*` stands for any run of characters. Two pointers with one backtrack point
 * keep this O(pattern × text) even for hostile patterns such as `a*a*a*a*b`, unlike a RegExp.
 */
export function matchesWildcard(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starAt = -1;
  let starMatchedUpTo = 0;
  while (t < text.length) {
    if (pattern[p] === '*') {
      starAt = p++;
      starMatchedUpTo = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (starAt >= 0) {
      p = starAt + 1;
      t = ++starMatchedUpTo;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** The best-weighted accepted answer the text matches, or undefined. */
function bestShortAnswer(options: ChoiceOption[], text: string): ChoiceOption | undefined {
  const typed = normaliseShortAnswer(text);
  let best: ChoiceOption | undefined;
  for (const option of options) {
    if (matchesWildcard(normaliseShortAnswer(option.text), typed) && (!best || option.weight > best.weight)) {
      best = option;
    }
  }
  return best;
}

function gradeShortAnswer(options: ChoiceOption[], text: string): TypeGrade {
  if (normaliseShortAnswer(text) === '') return 'unanswered';
  const best = bestShortAnswer(options, text);
  return best ? { score: best.weight / 100, feedback: feedbackOf(best) } : { score: 0, feedback: [] };
}

const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const GROUPED_NUMBER = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;

/** A learner's number: `1234.5`, `1,234.5`, `-2e3`, surrounding spaces allowed; anything else is NaN. */
export function parseLearnerNumber(text: string): number {
  const trimmed = text.trim();
  const plain = GROUPED_NUMBER.test(trimmed) ? trimmed.replace(/,/g, '') : trimmed;
  return PLAIN_NUMBER.test(plain) ? Number(plain) : NaN;
}

function numericBounds(answer: NumericAnswer): [number, number] {
  return answer.kind === 'range'
    ? [answer.min, answer.max]
    : [answer.value - answer.tolerance, answer.value + answer.tolerance];
}

/** Inclusive bounds with a hair of slack, so that 1.0 counts as within 1.1 ± 0.1 despite binary floats. */
function numericAnswerAccepts(answer: NumericAnswer, value: number): boolean {
  const [low, high] = numericBounds(answer);
  const slack = 1e-9 * Math.max(1, Math.abs(low), Math.abs(high));
  return value >= low - slack && value <= high + slack;
}

function gradeNumeric(answers: NumericAnswer[], text: string): TypeGrade {
  if (text.trim() === '') return 'unanswered';
  const value = parseLearnerNumber(text);
  let best: NumericAnswer | undefined;
  for (const answer of answers) {
    if (numericAnswerAccepts(answer, value) && (!best || answer.weight > best.weight)) best = answer;
  }
  return best ? { score: best.weight / 100, feedback: feedbackOf(best) } : { score: 0, feedback: [] };
}

/** The pairs a learner has to match, in order; the others are distractors (empty left side). */
export function realPairsOf(pairs: MatchPair[]): MatchPair[] {
  return pairs.filter((pair) => pair.left.trim() !== '');
}

function gradeMatching(pairs: MatchPair[], rights: (string | null)[]): TypeGrade {
  if (rights.every((right) => right === null || right === '')) return 'unanswered';
  const realPairs = realPairsOf(pairs);
  if (realPairs.length === 0) return { score: 0, feedback: [] };
  const matched = realPairs.filter((pair, index) => rights[index] === pair.right).length;
  return { score: matched / realPairs.length, feedback: [] };
}

// ---------------------------------------------------------------------------------------------
// Reference responses, for tests and benchmarks
// ---------------------------------------------------------------------------------------------

function indexOfBest<T extends { weight: number }>(items: T[]): number {
  let best = -1;
  items.forEach((item, index) => {
    if (best < 0 || item.weight > items[best].weight) best = index;
  });
  return best;
}

/** A response that earns the full mark (for an essay: a non-empty text, which a trainer then grades). */
export function correctResponse(q: QuestionDefinition): QuestionResponse {
  const options = q.options ?? [];
  switch (q.type) {
    case 'single':
    case 'missingword': {
      const best = indexOfBest(options);
      return { type: q.type, option: best < 0 ? null : best };
    }
    case 'multiple':
      return {
        type: 'multiple',
        options: options.flatMap((option, index) => (option.weight > 0 ? [index] : [])),
      };
    case 'truefalse':
      return { type: 'truefalse', value: q.answer ?? true };
    case 'short': {
      const best = options.find((option) => option.weight === 100) ?? options[indexOfBest(options)];
      return { type: 'short', text: best ? best.text.replace(/\*/g, 'x') : '' };
    }
    case 'numeric': {
      const answers = q.numeric ?? [];
      const best = answers.find((answer) => answer.weight === 100) ?? answers[indexOfBest(answers)];
      const value = best?.kind === 'range' ? best.min : best?.value;
      return { type: 'numeric', text: value === undefined ? '' : String(value) };
    }
    case 'matching':
      return { type: 'matching', rights: realPairsOf(q.pairs ?? []).map((pair) => pair.right) };
    case 'essay':
      return { type: 'essay', text: 'A considered answer, written in full sentences.' };
  }
}

/** A response that earns 0 (an empty one when nothing else can). */
export function wrongResponse(q: QuestionDefinition): QuestionResponse {
  const options = q.options ?? [];
  switch (q.type) {
    case 'single':
    case 'missingword': {
      const wrong = options.findIndex((option) => option.weight <= 0);
      return { type: q.type, option: wrong < 0 ? null : wrong };
    }
    case 'multiple':
      return {
        type: 'multiple',
        options: options.flatMap((option, index) => (option.weight <= 0 ? [index] : [])),
      };
    case 'truefalse':
      return { type: 'truefalse', value: !(q.answer ?? true) };
    case 'short':
      return firstEarningNothing(q, 'short', ['zz no such answer zz', 'qq', '0']);
    case 'numeric':
      return firstEarningNothing(q, 'numeric', numbersOutside(q.numeric ?? []).map(String));
    case 'matching':
      return { type: 'matching', rights: wrongRights(q.pairs ?? []) };
    case 'essay':
      return { type: 'essay', text: '' };
  }
}

/**
 * Candidates are checked with the grader itself, so a catch-all `*` answer cannot fool us; when
 * every text earns something, the empty (unanswered) response is the only one worth 0.
 */
function firstEarningNothing(
  q: QuestionDefinition,
  type: 'short' | 'numeric',
  texts: string[],
): QuestionResponse {
  const found = texts.find((text) => gradeQuestion(q, { type, text }).score === 0);
  return { type, text: found ?? '' };
}

function numbersOutside(answers: NumericAnswer[]): number[] {
  if (answers.length === 0) return [0];
  const bounds = answers.map(numericBounds);
  const highest = Math.max(...bounds.map(([, high]) => high));
  const lowest = Math.min(...bounds.map(([low]) => low));
  return [highest + Math.max(1, Math.abs(highest)), lowest - Math.max(1, Math.abs(lowest))];
}

function wrongRights(pairs: MatchPair[]): (string | null)[] {
  const choices = [...new Set(pairs.map((pair) => pair.right))];
  return realPairsOf(pairs).map((pair) => choices.find((choice) => choice !== pair.right) ?? null);
}
