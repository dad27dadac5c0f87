// A reader for the subset of Moodle's GIFT format described in docs/CONTENT-FORMAT.md.
//
// Escapes stay in place while the structure is found (every search skips a backslash and the
// character after it), and are only resolved once a piece of text has been cut out. That keeps
// offsets exact, so every error can name the line it is on.

import { findQuestionProblems, type ProblemTarget } from '../grading/grade-question';
import type {
  ChoiceOption,
  MatchPair,
  NumericAnswer,
  QuestionDefinition,
  TextFormat,
} from '../question.types';

export interface GiftError {
  /** 1-based line of the problem. */
  line: number;
  message: string;
}

export type ParsedGiftQuestion = QuestionDefinition & {
  /** 1-based line where the question starts. */
  line: number;
};

export interface GiftParseResult {
  /** The questions that parsed without any problem, in file order. */
  questions: ParsedGiftQuestion[];
  /** Every problem in the file; a caller importing all-or-nothing rejects the file when non-empty. */
  errors: GiftError[];
}

/**
 * Parse GIFT text. Never throws: a question with a problem is left out of `questions` and each of
 * its problems is listed in `errors`, while the other questions are still returned.
 */
export function parseGift(source: string): GiftParseResult {
  const result: GiftParseResult = { questions: [], errors: [] };
  let category: string | undefined;
  for (const chunk of splitIntoChunks(source)) {
    if (chunk.kind === 'category') {
      category = chunk.path === '' ? undefined : chunk.path;
      continue;
    }
    const parsed = parseQuestionChunk(chunk.lines);
    if (parsed.errors.length > 0) result.errors.push(...parsed.errors);
    else if (parsed.question) {
      result.questions.push({
        ...parsed.question,
        ...(category !== undefined && { category }),
        line: chunk.lines[0].number,
      });
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Lines → question chunks
// ---------------------------------------------------------------------------------------------

interface SourceLine {
  number: number;
  text: string;
}

type Chunk = { kind: 'category'; path: string } | { kind: 'question'; lines: SourceLine[] };

const CATEGORY_PREFIX = '$CATEGORY:';

function isCommentLine(trimmed: string): boolean {
  // Only whole lines are comments, so `http://…` in the middle of a line is left alone.
  return trimmed.startsWith('//');
}

function splitIntoChunks(source: string): Chunk[] {
  const chunks: Chunk[] = [];
  let current: SourceLine[] = [];
  const flush = (): void => {
    if (current.length > 0) chunks.push({ kind: 'question', lines: current });
    current = [];
  };

  source
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .forEach((text, index) => {
      const trimmed = text.trim();
      if (isCommentLine(trimmed)) return; // a comment neither belongs to nor ends a question
      if (trimmed === '') return flush();
      if (trimmed.startsWith(CATEGORY_PREFIX)) {
        flush();
        chunks.push({ kind: 'category', path: trimmed.slice(CATEGORY_PREFIX.length).trim() });
        return;
      }
      current.push({ number: index + 1, text });
    });
  flush();
  return chunks;
}

// ---------------------------------------------------------------------------------------------
// Escapes
// ---------------------------------------------------------------------------------------------

// Moodle's escapes, plus `\%` and `\-` so that an answer starting with `%` or containing `->`
// can be written unambiguously (the writer only uses them there).
const ESCAPED: Record<string, string> = {
  '~': '~',
  '=': '=',
  '#': '#',
  '{': '{',
  '}': '}',
  ':': ':',
  '\\': '\\',
  '%': '%',
  '-': '-',
  n: '\n',
};

/** Resolve escapes; an unknown escape such as `\q` is kept as written, as Moodle does. */
function unescapeGift(raw: string): string {
  return raw.replace(/\\([\s\S])/g, (whole, char: string) => ESCAPED[char] ?? whole);
}

/** Index of the first unescaped `needle` at or after `from` (which must not split an escape), or -1. */
function indexOfUnescaped(text: string, needle: string, from = 0): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text.startsWith(needle, i)) return i;
  }
  return -1;
}

function cleanText(raw: string): string {
  return unescapeGift(raw.trim());
}

function optionalText(raw: string): string | undefined {
  const text = cleanText(raw);
  return text === '' ? undefined : text;
}

// ---------------------------------------------------------------------------------------------
// One question
// ---------------------------------------------------------------------------------------------

/** A piece of the question chunk, remembered with its offset so errors can find their line. */
interface Piece {
  raw: string;
  offset: number;
}

/** Collects errors for one question and turns offsets into line numbers. */
class QuestionContext {
  readonly errors: GiftError[] = [];
  private readonly lineStarts: number[] = [];

  constructor(
    readonly text: string,
    private readonly lines: SourceLine[],
  ) {
    let start = 0;
    for (const line of lines) {
      this.lineStarts.push(start);
      start += line.text.length + 1;
    }
  }

  lineAt(offset: number): number {
    // Binary search: a long question with many answers must not make error reporting quadratic.
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return this.lines[low].number;
  }

  /** The line of the first non-blank character of a piece (its start if it is all blank). */
  lineOf(piece: Piece): number {
    const leading = piece.raw.length - piece.raw.trimStart().length;
    return this.lineAt(piece.offset + (leading < piece.raw.length ? leading : 0));
  }

  failOn(line: number, message: string): void {
    this.errors.push({ line, message });
  }

  failAt(offset: number, message: string): void {
    this.failOn(this.lineAt(offset), message);
  }

  failIn(piece: Piece, message: string): void {
    this.failOn(this.lineOf(piece), message);
  }
}

interface AnswerBlock {
  question: Omit<QuestionDefinition, 'format' | 'text' | 'name'>;
  /** Where each option / pair / numeric answer starts, for structural errors. */
  itemOffsets: number[];
}

const FORMAT_TAG = /^\[(moodle|html|plain|markdown)\]/;

function parseQuestionChunk(lines: SourceLine[]): { question?: QuestionDefinition; errors: GiftError[] } {
  const ctx = new QuestionContext(lines.map((line) => line.text).join('\n'), lines);
  const { text } = ctx;

  let pos = skipBlanks(text, 0);
  let name: string | undefined;
  if (text.startsWith('::', pos)) {
    const end = indexOfUnescaped(text, '::', pos + 2);
    if (end < 0) {
      ctx.failAt(pos, "the question name opened with '::' is never closed with '::'");
      return { errors: ctx.errors };
    }
    name = optionalText(text.slice(pos + 2, end));
    pos = skipBlanks(text, end + 2);
  }

  let format: TextFormat = 'moodle';
  const tag = FORMAT_TAG.exec(text.slice(pos));
  if (tag) {
    format = tag[1] as TextFormat;
    pos += tag[0].length;
  }

  const braces = findAnswerBlock(ctx, pos);
  if (!braces) return { errors: ctx.errors };

  const textAfter = optionalText(text.slice(braces.close + 1));
  const block = parseAnswerBlock(
    ctx,
    { raw: text.slice(braces.open + 1, braces.close), offset: braces.open + 1 },
    textAfter !== undefined,
  );
  const { type, ...answers } = block.question;
  const question: QuestionDefinition = {
    type,
    ...(name !== undefined && { name }),
    format,
    text: cleanText(text.slice(pos, braces.open)),
    ...(textAfter !== undefined && { textAfter }),
    ...answers,
  };

  // Structural checks on a half-parsed block would only repeat the syntax error in other words.
  if (ctx.errors.length > 0) return { errors: ctx.errors };
  const lineOfTarget = (target: ProblemTarget): number => {
    if (target.kind === 'question') return lines[0].number;
    if (target.kind === 'answers') return ctx.lineAt(braces.open);
    return ctx.lineAt(block.itemOffsets[target.index] ?? braces.open);
  };
  for (const problem of findQuestionProblems(question)) {
    ctx.failOn(lineOfTarget(problem.target), problem.message);
  }
  return ctx.errors.length > 0 ? { errors: ctx.errors } : { question, errors: [] };
}

function skipBlanks(text: string, from: number): number {
  let pos = from;
  while (pos < text.length && /\s/.test(text[pos])) pos++;
  return pos;
}

/** The offsets of the one `{…}` block, or undefined after recording why there is none. */
function findAnswerBlock(ctx: QuestionContext, from: number): { open: number; close: number } | undefined {
  const { text } = ctx;
  const fail = (offset: number, message: string): undefined => {
    ctx.failAt(offset, message);
    return undefined;
  };
  let open = -1;
  let close = -1;
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char === '\\') {
      i++;
    } else if (char === '{') {
      if (close >= 0) return fail(i, "a question has one answer block; this '{' starts a second one");
      if (open >= 0) return fail(i, "'{' inside an answer block; write \\{ for a literal brace");
      open = i;
    } else if (char === '}') {
      if (open < 0 || close >= 0) return fail(i, "'}' has no matching '{'; write \\} for a literal brace");
      close = i;
    }
  }
  if (open < 0) return fail(from, 'question has no answer block (descriptions are not supported)');
  if (close < 0) return fail(open, "'{' is never closed with '}'");
  return { open, close };
}

// ---------------------------------------------------------------------------------------------
// The answer block
// ---------------------------------------------------------------------------------------------

const TRUE_FALSE = /^(t|true|f|false)$/i;

function parseAnswerBlock(ctx: QuestionContext, block: Piece, inline: boolean): AnswerBlock {
  // Moodle takes the general feedback off first, so `{####…}` is an essay with feedback.
  const split = indexOfUnescaped(block.raw, '####');
  const answers: Piece = split < 0 ? block : { raw: block.raw.slice(0, split), offset: block.offset };
  const generalFeedback = split < 0 ? undefined : optionalText(block.raw.slice(split + 4));
  const parsed = parseAnswers(ctx, answers, inline);
  if (generalFeedback !== undefined) parsed.question.generalFeedback = generalFeedback;
  return parsed;
}

function parseAnswers(ctx: QuestionContext, answers: Piece, inline: boolean): AnswerBlock {
  const trimmed = answers.raw.trim();
  if (trimmed === '') return { question: { type: 'essay' }, itemOffsets: [] };
  if (trimmed.startsWith('#')) return parseNumeric(ctx, answers);
  const head = answers.raw.slice(0, endOfUnescaped(answers.raw, '#')).trim();
  if (TRUE_FALSE.test(head)) return parseTrueFalse(ctx, answers);
  if (indexOfUnescaped(answers.raw, '~') >= 0) return parseChoices(ctx, answers, inline);
  if (indexOfUnescaped(answers.raw, '->') >= 0) return parseMatching(ctx, answers);
  if (indexOfUnescaped(answers.raw, '=') >= 0) return parseShortAnswer(ctx, answers);
  ctx.failIn(answers, `unknown answer syntax "${abbreviate(trimmed)}": expected =, ~, ->, #, T or F`);
  return { question: { type: 'essay' }, itemOffsets: [] };
}

function endOfUnescaped(text: string, needle: string): number {
  const index = indexOfUnescaped(text, needle);
  return index < 0 ? text.length : index;
}

function abbreviate(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 40 ? `${oneLine.slice(0, 37)}...` : oneLine;
}

/** One `=…` or `~…` entry of an answer block; `offset` is that of its marker. */
interface Entry {
  marker: string;
  body: Piece;
  offset: number;
}

/** Cut a block at every unescaped marker character; text before the first marker is an error. */
function splitEntries(ctx: QuestionContext, answers: Piece, markers: string): Entry[] {
  const { raw, offset } = answers;
  const starts: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '\\') i++;
    else if (markers.includes(raw[i])) starts.push(i);
  }
  const lead: Piece = { raw: raw.slice(0, starts[0] ?? raw.length), offset };
  if (lead.raw.trim() !== '') {
    ctx.failIn(
      lead,
      `unknown answer syntax "${abbreviate(lead.raw.trim())}": an answer starts with ${[...markers].join(' or ')}`,
    );
  }
  return starts.map((start, k) => ({
    marker: raw[start],
    offset: offset + start,
    body: { raw: raw.slice(start + 1, starts[k + 1] ?? raw.length), offset: offset + start + 1 },
  }));
}

const WEIGHT = /^\s*%([^%]*)%/;

/** A leading `%n%`, if any, and the rest of the entry. */
function readWeight(ctx: QuestionContext, body: Piece): { weight: number | undefined; rest: Piece } {
  const match = WEIGHT.exec(body.raw);
  if (!match) return { weight: undefined, rest: body };
  const weight = parseGiftNumber(match[1]);
  if (Number.isNaN(weight)) {
    ctx.failIn(body, `"%${match[1]}%" is not a weight; write e.g. %50% or %-33.33333%`);
  }
  return { weight, rest: { raw: body.raw.slice(match[0].length), offset: body.offset + match[0].length } };
}

const GIFT_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** A number as written in GIFT (no thousands separators), or NaN. */
function parseGiftNumber(raw: string): number {
  const text = raw.trim();
  if (!GIFT_NUMBER.test(text)) return NaN;
  const value = Number(text);
  return value === 0 ? 0 : value; // -0 would not survive a write/read round trip
}

/** An entry's text and its `#feedback`, if any. */
function splitFeedback(body: Piece): { text: string; feedback: string | undefined } {
  const hash = indexOfUnescaped(body.raw, '#');
  if (hash < 0) return { text: cleanText(body.raw), feedback: undefined };
  return { text: cleanText(body.raw.slice(0, hash)), feedback: optionalText(body.raw.slice(hash + 1)) };
}

/** Options of a choice or short-answer block: `=` is worth 100% and `~` 0% unless a weight says otherwise. */
function parseOptions(ctx: QuestionContext, entries: Entry[]): ChoiceOption[] {
  return entries.map((entry) => {
    const { weight, rest } = readWeight(ctx, entry.body);
    const { text, feedback } = splitFeedback(rest);
    return {
      text,
      weight: weight ?? (entry.marker === '=' ? 100 : 0),
      ...(feedback !== undefined && { feedback }),
    };
  });
}

function parseChoices(ctx: QuestionContext, answers: Piece, inline: boolean): AnswerBlock {
  const entries = splitEntries(ctx, answers, '=~');
  const weighted = entries.some((entry) => WEIGHT.test(entry.body.raw));
  const type = inline ? 'missingword' : weighted ? 'multiple' : 'single';
  return {
    question: { type, options: parseOptions(ctx, entries) },
    itemOffsets: entries.map((e) => e.offset),
  };
}

function parseShortAnswer(ctx: QuestionContext, answers: Piece): AnswerBlock {
  const entries = splitEntries(ctx, answers, '=');
  return {
    question: { type: 'short', options: parseOptions(ctx, entries) },
    itemOffsets: entries.map((e) => e.offset),
  };
}

function parseMatching(ctx: QuestionContext, answers: Piece): AnswerBlock {
  const entries = splitEntries(ctx, answers, '=');
  const pairs: MatchPair[] = [];
  for (const entry of entries) {
    const line = ctx.lineAt(entry.offset);
    if (indexOfUnescaped(entry.body.raw, '#') >= 0) {
      ctx.failOn(line, 'a matching pair takes no feedback; write \\# for a literal #');
      continue;
    }
    const arrow = indexOfUnescaped(entry.body.raw, '->');
    if (arrow < 0) {
      ctx.failOn(
        line,
        `unknown answer syntax "${abbreviate(entry.body.raw.trim())}": a matching pair is written =left -> right`,
      );
      continue;
    }
    pairs.push({
      left: cleanText(entry.body.raw.slice(0, arrow)),
      right: cleanText(entry.body.raw.slice(arrow + 2)),
    });
  }
  return { question: { type: 'matching', pairs }, itemOffsets: entries.map((e) => e.offset) };
}

function parseTrueFalse(ctx: QuestionContext, answers: Piece): AnswerBlock {
  const parts = splitOnUnescaped(answers.raw, '#');
  const answer = /^t/i.test(parts[0].trim());
  if (parts.length > 3) {
    ctx.failIn(answers, 'a true/false answer takes at most two feedbacks: {T#wrong#right}');
  }
  // Moodle's order is "#shown when wrong#shown when right"; we store them by the learner's answer.
  const whenWrong = optionalText(parts[1] ?? '');
  const whenRight = optionalText(parts[2] ?? '');
  const trueFeedback = answer ? whenRight : whenWrong;
  const falseFeedback = answer ? whenWrong : whenRight;
  return {
    question: {
      type: 'truefalse',
      answer,
      ...(trueFeedback !== undefined && { trueFeedback }),
      ...(falseFeedback !== undefined && { falseFeedback }),
    },
    itemOffsets: [],
  };
}

function splitOnUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let at = indexOfUnescaped(text, separator); at >= 0; at = indexOfUnescaped(text, separator, start)) {
    parts.push(text.slice(start, at));
    start = at + separator.length;
  }
  parts.push(text.slice(start));
  return parts;
}

function parseNumeric(ctx: QuestionContext, answers: Piece): AnswerBlock {
  const hash = answers.raw.indexOf('#');
  const body: Piece = { raw: answers.raw.slice(hash + 1), offset: answers.offset + hash + 1 };
  // `{#3:0.5}` is one answer; `{#=3:0 =%50%3:1}` lists graded alternatives.
  const items =
    indexOfUnescaped(body.raw, '=') >= 0
      ? splitEntries(ctx, body, '=').map((entry) => ({ piece: entry.body, offset: entry.offset }))
      : [{ piece: body, offset: body.offset + body.raw.length - body.raw.trimStart().length }];

  const numeric: NumericAnswer[] = [];
  for (const item of items) {
    const { weight, rest } = readWeight(ctx, item.piece);
    const { text, feedback } = splitFeedback(rest);
    const bounds = parseNumericSpec(ctx, text, ctx.lineAt(item.offset));
    if (bounds)
      numeric.push({ ...bounds, weight: weight ?? 100, ...(feedback !== undefined && { feedback }) });
  }
  return { question: { type: 'numeric', numeric }, itemOffsets: items.map((item) => item.offset) };
}

type NumericBounds =
  { kind: 'tolerance'; value: number; tolerance: number } | { kind: 'range'; min: number; max: number };

/** `3`, `3:0.5` or `1..2`; reports and returns undefined when a part is not a number. */
function parseNumericSpec(ctx: QuestionContext, spec: string, line: number): NumericBounds | undefined {
  if (spec === '') {
    ctx.failOn(line, 'a numeric answer needs a number, e.g. {#3:0.5} or {#1..2}');
    return undefined;
  }
  const number = (part: string): number => {
    const value = parseGiftNumber(part);
    if (Number.isNaN(value)) ctx.failOn(line, `"${part.trim()}" is not a number`);
    return value;
  };
  const range = spec.indexOf('..');
  if (range >= 0) {
    const min = number(spec.slice(0, range));
    const max = number(spec.slice(range + 2));
    return Number.isNaN(min) || Number.isNaN(max) ? undefined : { kind: 'range', min, max };
  }
  const colon = spec.indexOf(':');
  const value = number(colon < 0 ? spec : spec.slice(0, colon));
  const tolerance = colon < 0 ? 0 : number(spec.slice(colon + 1));
  return Number.isNaN(value) || Number.isNaN(tolerance) ? undefined : { kind: 'tolerance', value, tolerance };
}
