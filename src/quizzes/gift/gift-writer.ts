// Writes questions as GIFT that `parseGift` reads back to the same definitions (and Moodle can
// import, apart from the two escapes `\%` and `\-` we need for a leading % and for `->` in answers).

import type { ChoiceOption, MatchPair, NumericAnswer, QuestionDefinition } from '../question.types';

/** GIFT for the questions, a blank line between them and `$CATEGORY:` wherever the category changes. */
export function writeGift(questions: QuestionDefinition[]): string {
  const chunks: string[] = [];
  let category: string | undefined;
  for (const question of questions) {
    const next = question.category || undefined;
    if (next !== category) {
      // An empty `$CATEGORY:` takes the following questions out of any category.
      chunks.push(`$CATEGORY: ${next ?? ''}`.trimEnd());
      category = next;
    }
    chunks.push(writeQuestion(question));
  }
  return chunks.length > 0 ? `${chunks.join('\n\n')}\n` : '';
}

function writeQuestion(q: QuestionDefinition): string {
  const parts = [
    q.name ? `::${escapeText(q.name)}::` : '',
    `${formatTag(q)}${escapeText(q.text)}`,
    writeAnswerBlock(q),
    q.textAfter ? escapeText(q.textAfter) : '',
  ];
  return parts.filter((part) => part !== '').join(' ');
}

/**
 * `[format]` when the format is not the default, and also when the text itself could be misread
 * at the start of a line: as a format tag (`[html]…`), a comment (`//…`) or a category (`$CATEGORY:`).
 */
function formatTag(q: QuestionDefinition): string {
  const ambiguous = /^(\[|\/\/|\$)/.test(q.text);
  return q.format !== 'moodle' || ambiguous ? `[${q.format}]` : '';
}

// ---------------------------------------------------------------------------------------------
// Escaping
// ---------------------------------------------------------------------------------------------

/** Escape GIFT's special characters; line breaks become `\n` so a text never ends a question. */
function escapeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\\~=#{}:]/g, (char) => `\\${char}`)
    .replace(/\n/g, '\\n');
}

/** Inside the answer block `->` would read as a matching pair. */
function escapeBlockText(text: string): string {
  return escapeText(text).replace(/->/g, '\\->');
}

/** An answer text starting with `%` would read as a weight. */
function escapeAnswerText(text: string): string {
  const escaped = escapeBlockText(text);
  return escaped.startsWith('%') ? `\\${escaped}` : escaped;
}

function feedbackSuffix(feedback: string | undefined): string {
  return feedback ? ` #${escapeBlockText(feedback)}` : '';
}

function weightTag(weight: number): string {
  return `%${String(weight)}%`;
}

// ---------------------------------------------------------------------------------------------
// Answer blocks
// ---------------------------------------------------------------------------------------------

function writeAnswerBlock(q: QuestionDefinition): string {
  const general = q.generalFeedback ? `####${escapeBlockText(q.generalFeedback)}` : '';
  switch (q.type) {
    case 'essay':
      return `{${general}}`;
    case 'truefalse':
      return `{${trueFalseAnswer(q)}${general}}`;
    case 'single':
    case 'missingword':
      return multiLineBlock((q.options ?? []).map(singleChoiceLine), general);
    case 'multiple':
      // Every option carries its weight, so the block always reads back as multiple response.
      return multiLineBlock(
        (q.options ?? []).map((option) => optionLine('~', weightTag(option.weight), option)),
        general,
      );
    case 'short':
      return multiLineBlock((q.options ?? []).map(shortAnswerLine), general);
    case 'numeric':
      return numericBlock(q.numeric ?? [], general);
    case 'matching':
      return multiLineBlock((q.pairs ?? []).map(pairLine), general);
  }
}

function multiLineBlock(lines: string[], general: string): string {
  const body = general ? [...lines, general] : lines;
  return `{\n${body.map((line) => `  ${line}\n`).join('')}}`;
}

function optionLine(marker: string, weight: string, option: ChoiceOption): string {
  return `${marker}${weight}${escapeAnswerText(option.text)}${feedbackSuffix(option.feedback)}`;
}

function singleChoiceLine(option: ChoiceOption): string {
  if (option.weight === 100) return optionLine('=', '', option);
  return optionLine('~', option.weight === 0 ? '' : weightTag(option.weight), option);
}

function shortAnswerLine(option: ChoiceOption): string {
  return optionLine('=', option.weight === 100 ? '' : weightTag(option.weight), option);
}

function pairLine(pair: MatchPair): string {
  return `=${pair.left ? `${escapeBlockText(pair.left)} ` : ' '}-> ${escapeBlockText(pair.right)}`;
}

/** `{T#shown when wrong#shown when right}`, Moodle's order. */
function trueFalseAnswer(q: QuestionDefinition): string {
  const answer = q.answer !== false;
  const whenWrong = (answer ? q.falseFeedback : q.trueFeedback) ?? '';
  const whenRight = (answer ? q.trueFeedback : q.falseFeedback) ?? '';
  let text = answer ? 'T' : 'F';
  if (whenWrong || whenRight) text += `#${escapeBlockText(whenWrong)}`;
  if (whenRight) text += `#${escapeBlockText(whenRight)}`;
  return text;
}

function numericSpec(answer: NumericAnswer): string {
  return answer.kind === 'range'
    ? `${String(answer.min)}..${String(answer.max)}`
    : `${String(answer.value)}:${String(answer.tolerance)}`;
}

function numericBlock(answers: NumericAnswer[], general: string): string {
  const [only] = answers;
  if (answers.length === 1 && only.weight === 100) {
    return `{#${numericSpec(only)}${feedbackSuffix(only.feedback)}${general ? ` ${general}` : ''}}`;
  }
  const lines = answers.map(
    (answer) =>
      `=${answer.weight === 100 ? '' : weightTag(answer.weight)}${numericSpec(answer)}${feedbackSuffix(answer.feedback)}`,
  );
  return `{#\n${[...lines, ...(general ? [general] : [])].map((line) => `  ${line}\n`).join('')}}`;
}
