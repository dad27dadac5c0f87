// The one shape of a question, shared by the GIFT parser/writer, the grader,
// the quiz builder and the database (stored as JSON in quiz_questions.definition).

export type QuestionType =
  | 'single' // one right choice
  | 'multiple' // several choices with percentage weights (partial credit, negative allowed)
  | 'truefalse'
  | 'short' // typed answer, several accepted answers, case-insensitive, optional * wildcard
  | 'numeric' // value ± tolerance, or a range, with graded alternatives
  | 'matching' // pairs; a pair with an empty left side is a distractor on the right
  | 'missingword' // a choice embedded in the sentence (text {…} textAfter)
  | 'essay'; // graded by a trainer

export type TextFormat = 'moodle' | 'html' | 'markdown' | 'plain';

/** A choice (single, multiple, missingword) or an accepted answer (short). */
export interface ChoiceOption {
  text: string;
  /** Percent of the question's mark, -100..100. Single choice: 100 for the right one, 0 for the others. */
  weight: number;
  feedback?: string;
}

export type NumericAnswer =
  | { kind: 'tolerance'; value: number; tolerance: number; weight: number; feedback?: string }
  | { kind: 'range'; min: number; max: number; weight: number; feedback?: string };

export interface MatchPair {
  /** Empty string = a distractor that only appears among the right-hand choices. */
  left: string;
  right: string;
}

export interface QuestionDefinition {
  type: QuestionType;
  name?: string;
  category?: string;
  format: TextFormat;
  /** The question text; for an answer block embedded mid-sentence, the part before the block. */
  text: string;
  /** Text after an embedded answer block (missingword, or short/numeric written inline). */
  textAfter?: string;
  generalFeedback?: string;
  options?: ChoiceOption[];
  /** truefalse */
  answer?: boolean;
  trueFeedback?: string; // shown when the learner answered true
  falseFeedback?: string; // shown when the learner answered false
  numeric?: NumericAnswer[];
  pairs?: MatchPair[];
}

/**
 * What a learner submitted for one question. Indices refer to the canonical
 * `options` array (shuffling is only a presentation order kept on the attempt).
 */
export type QuestionResponse =
  | { type: 'single' | 'missingword'; option: number | null }
  | { type: 'multiple'; options: number[] }
  | { type: 'truefalse'; value: boolean | null }
  | { type: 'short' | 'numeric' | 'essay'; text: string }
  /** matching: for each pair with a non-empty left (in `pairs` order), the right text chosen, or null */
  | { type: 'matching'; rights: (string | null)[] };

export type GradeStatus = 'correct' | 'partial' | 'incorrect' | 'unanswered' | 'needs_grading';

export interface GradeResult {
  /** Fraction of the question's mark, 0..1 (floored at 0); null while an essay waits for a trainer. */
  score: number | null;
  status: GradeStatus;
  /** Per-option / per-answer feedback that applies to this response, then the general feedback. */
  feedback: string[];
}
