// Turns a submitted form field (strings and string arrays, as Express's body parsers give them)
// into a typed response for `gradeQuestion`, refusing anything a real form could not have sent.

import type { QuestionDefinition, QuestionResponse } from '../question.types';
import { realPairsOf } from './grade-question';

/** The longest typed answer (short, numeric or essay) we accept, in characters. */
export const MAX_RESPONSE_TEXT_LENGTH = 10_000;

export interface ResponseError {
  error: string;
}

export function isResponseError(parsed: QuestionResponse | ResponseError): parsed is ResponseError {
  return 'error' in parsed;
}

type Parsed<T> = T | ResponseError;

/** The learner's answer to one question; a missing or empty field is an unanswered response. */
export function parseResponse(q: QuestionDefinition, raw: unknown): QuestionResponse | ResponseError {
  const { type } = q;
  switch (type) {
    case 'single':
    case 'missingword':
      return withType(parseOneOption(raw, q.options?.length ?? 0), (option) => ({ type, option }));
    case 'multiple':
      return withType(parseSeveralOptions(raw, q.options?.length ?? 0), (options) => ({
        type: 'multiple',
        options,
      }));
    case 'truefalse':
      return withType(parseTrueFalse(raw), (value) => ({ type: 'truefalse', value }));
    case 'short':
    case 'numeric':
    case 'essay':
      return withType(parseText(raw, type === 'numeric'), (text) => ({ type, text }));
    case 'matching':
      return withType(parseMatching(raw, q), (rights) => ({ type: 'matching', rights }));
    default:
      return { error: `cannot read an answer to a question of type "${String(type)}"` };
  }
}

function withType<T>(
  parsed: Parsed<T>,
  build: (value: T) => QuestionResponse,
): QuestionResponse | ResponseError {
  return isError(parsed) ? parsed : build(parsed);
}

function isError<T>(parsed: Parsed<T>): parsed is ResponseError {
  return typeof parsed === 'object' && parsed !== null && 'error' in parsed;
}

function isEmpty(raw: unknown): boolean {
  return raw === undefined || raw === null || raw === '';
}

function shown(raw: unknown): string {
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'string') return `"${raw.length > 20 ? `${raw.slice(0, 20)}...` : raw}"`;
  return typeof raw;
}

/** An option number as a form sends it ("2") or as JSON does (2), within 0..count-1. */
function parseOptionIndex(raw: unknown, count: number): Parsed<number> {
  const trimmed = typeof raw === 'string' ? raw.trim() : raw;
  const index = typeof trimmed === 'string' && /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    return { error: `${shown(raw)} is not an option number` };
  }
  if (index < 0 || index >= count) {
    return { error: `option ${index} does not exist; this question has options 0 to ${count - 1}` };
  }
  return index;
}

function parseOneOption(raw: unknown, count: number): Parsed<number | null> {
  if (isEmpty(raw)) return null;
  if (Array.isArray(raw)) return { error: 'expected one option, got a list' };
  return parseOptionIndex(raw, count);
}

function parseSeveralOptions(raw: unknown, count: number): Parsed<number[]> {
  if (isEmpty(raw)) return [];
  // A single ticked box arrives as a plain string; empty strings come from "nothing ticked" sentinels.
  const items = (Array.isArray(raw) ? raw : [raw]).filter((item) => !isEmpty(item));
  const chosen: number[] = [];
  for (const item of items) {
    const index = parseOptionIndex(item, count);
    if (isError(index)) return index;
    if (chosen.includes(index)) return { error: `option ${index} was chosen twice` };
    chosen.push(index);
  }
  return chosen.sort((a, b) => a - b);
}

function parseTrueFalse(raw: unknown): Parsed<boolean | null> {
  if (isEmpty(raw)) return null;
  if (typeof raw === 'boolean') return raw;
  const word = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  if (word === 'true') return true;
  if (word === 'false') return false;
  return { error: `${shown(raw)} is neither "true" nor "false"` };
}

function parseText(raw: unknown, numberAllowed: boolean): Parsed<string> {
  if (isEmpty(raw)) return '';
  if (numberAllowed && typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  if (typeof raw !== 'string') return { error: `expected a text answer, got ${shown(raw)}` };
  if (raw.length > MAX_RESPONSE_TEXT_LENGTH) {
    return { error: `the answer is ${raw.length} characters long; the limit is ${MAX_RESPONSE_TEXT_LENGTH}` };
  }
  return raw;
}

/** One chosen right-hand text per real pair, in `pairs` order; '' means "not chosen". */
function parseMatching(raw: unknown, q: QuestionDefinition): Parsed<(string | null)[]> {
  const pairs = q.pairs ?? [];
  const expected = realPairsOf(pairs).length;
  if (isEmpty(raw)) return new Array<null>(expected).fill(null);
  const items = Array.isArray(raw) ? raw : [raw];
  if (items.length !== expected) return { error: `expected ${expected} matches, got ${items.length}` };

  const choices = new Set(pairs.map((pair) => pair.right));
  const rights: (string | null)[] = [];
  for (const item of items) {
    if (isEmpty(item)) rights.push(null);
    else if (typeof item !== 'string') return { error: `expected a text for each match, got ${shown(item)}` };
    else if (!choices.has(item)) return { error: `${shown(item)} is not one of the choices` };
    else rights.push(item);
  }
  return rights;
}
