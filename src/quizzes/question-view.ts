import { renderMarkdown } from '../courses/markdown';
import { realPairsOf } from './grading/grade-question';
import type { DrawnQuestion } from './entities/quiz-attempt.entity';
import type { QuestionDefinition, QuestionResponse, TextFormat } from './question.types';

/**
 * Choice values in forms are positions in the attempt's shown order, not the options' indices
 * in the source file (authors often write the right answer first). This maps them back.
 */
export function shownToCanonical(definition: QuestionDefinition, drawn: DrawnQuestion, raw: unknown): unknown {
  if (!['single', 'multiple', 'missingword'].includes(definition.type) || !drawn.options) return raw;
  const order = drawn.options;
  const map = (value: unknown) => {
    const position = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
    return position < order.length ? String(order[position]) : value;
  };
  return Array.isArray(raw) ? raw.map(map) : map(raw);
}

/**
 * What the browser may see of a question while an attempt is open: texts and choices in the
 * attempt's order, and the learner's own saved answer. No weights, keys or feedback.
 */
export interface QuestionView {
  questionId: number;
  number: number;
  type: QuestionDefinition['type'];
  textHtml: string;
  textAfterHtml: string;
  input: 'radio' | 'checkbox' | 'select' | 'text' | 'number' | 'textarea' | 'matching';
  options: { value: string; html: string; checked: boolean }[];
  pairs: { index: number; html: string; choices: { text: string; selected: boolean }[] }[];
  text: string;
  answered: boolean;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Question and option text as safe HTML; `inline` drops the paragraph wrapper for use inside labels. */
export function renderQuestionHtml(format: TextFormat, text: string, inline = false): string {
  if (!text) return '';
  const html = format === 'plain' ? `<p>${escapeHtml(text).replace(/\n/g, '<br>')}</p>` : renderMarkdown(text);
  return inline ? html.replace(/^<p>([\s\S]*)<\/p>\s*$/, '$1') : html;
}

function isAnswered(response: QuestionResponse | null | undefined): boolean {
  if (!response) return false;
  switch (response.type) {
    case 'single':
    case 'missingword':
      return response.option !== null;
    case 'multiple':
      return response.options.length > 0;
    case 'truefalse':
      return response.value !== null;
    case 'matching':
      return response.rights.some((r) => r !== null && r !== '');
    default:
      return response.text.trim() !== '';
  }
}

export function presentQuestion(
  definition: QuestionDefinition,
  drawn: DrawnQuestion,
  number: number,
  saved: QuestionResponse | null | undefined,
): QuestionView {
  const format = definition.format;
  const view: QuestionView = {
    questionId: drawn.questionId,
    number,
    type: definition.type,
    textHtml: renderQuestionHtml(format, definition.text, definition.type === 'missingword'),
    textAfterHtml: renderQuestionHtml(format, definition.textAfter ?? '', true),
    input: 'text',
    options: [],
    pairs: [],
    text: '',
    answered: isAnswered(saved),
  };
  const options = definition.options ?? [];
  const order = drawn.options ?? options.map((_, i) => i);
  switch (definition.type) {
    case 'single':
    case 'missingword': {
      const chosen = saved && (saved.type === 'single' || saved.type === 'missingword') ? saved.option : null;
      view.input = definition.type === 'single' ? 'radio' : 'select';
      view.options = order.map((i, shown) => ({ value: String(shown), html: renderQuestionHtml(format, options[i].text, true), checked: chosen === i }));
      break;
    }
    case 'multiple': {
      const chosen = saved?.type === 'multiple' ? saved.options : [];
      view.input = 'checkbox';
      view.options = order.map((i, shown) => ({ value: String(shown), html: renderQuestionHtml(format, options[i].text, true), checked: chosen.includes(i) }));
      break;
    }
    case 'truefalse': {
      const value = saved?.type === 'truefalse' ? saved.value : null;
      view.input = 'radio';
      view.options = [
        { value: 'true', html: '', checked: value === true },
        { value: 'false', html: '', checked: value === false },
      ];
      break;
    }
    case 'matching': {
      const rights = drawn.rights ?? [];
      const chosen = saved?.type === 'matching' ? saved.rights : [];
      view.input = 'matching';
      view.pairs = realPairsOf(definition.pairs ?? []).map((pair, index) => ({
        index,
        html: renderQuestionHtml(format, pair.left, true),
        choices: rights.map((text) => ({ text, selected: chosen[index] === text })),
      }));
      break;
    }
    case 'numeric':
      view.input = 'number';
      view.text = saved?.type === 'numeric' ? saved.text : '';
      break;
    case 'essay':
      view.input = 'textarea';
      view.text = saved?.type === 'essay' ? saved.text : '';
      break;
    default:
      view.input = 'text';
      view.text = saved?.type === 'short' ? saved.text : '';
  }
  return view;
}
