/**
 * Just enough of the Unicode bidirectional algorithm (UAX #9) for one line of a certificate:
 * a name or a course title in Urdu, English or both, with digits. pdfkit has no bidi support —
 * it shapes an Arabic-script run and puts its glyphs right to left, but a line that mixes
 * Urdu with Latin words or numbers must be cut into runs and the runs ordered by us.
 * No explicit embeddings or isolates (names and titles never carry them).
 */

export type Direction = 'ltr' | 'rtl';

export interface VisualRun {
  /**
   * The run's text as a shaper must receive it. fontkit lays out any string containing
   * Arabic-script characters right to left and every other string left to right, so the text
   * is pre-reversed (and brackets mirrored) wherever that guess would be wrong.
   */
  text: string;
  direction: Direction;
  /** True when the run is set in the Arabic-script font. */
  arabicFont: boolean;
}

/**
 * Neutral characters (spaces, punctuation) that the Arabic-script font has glyphs for: inside
 * Urdu text they stay in the Urdu run; any other character goes to the Latin font.
 */
export type ArabicFontCoverage = (char: string) => boolean;

type BidiClass = 'L' | 'R' | 'EN' | 'AN' | 'N';

const ARABIC_DIGIT = /[\u0660-\u0669\u06F0-\u06F9]/;
const RTL_LETTER = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;
const ARABIC_SCRIPT = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/;
const LETTER = /[\p{L}\p{M}]/u;
const DIGIT = /\p{Nd}/u;
const MIRRORED: Record<string, string> = { '(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '<': '>', '>': '<', '«': '»', '»': '«' };

function classOf(char: string): BidiClass {
  if (ARABIC_DIGIT.test(char)) return 'AN';
  if (RTL_LETTER.test(char)) return 'R';
  if (DIGIT.test(char)) return 'EN';
  if (LETTER.test(char)) return 'L';
  return 'N';
}

/** The paragraph direction: that of the first strong letter (rule P2), left to right if none. */
export function paragraphDirection(text: string): Direction {
  for (const char of text) {
    const type = classOf(char);
    if (type === 'R') return 'rtl';
    if (type === 'L') return 'ltr';
  }
  return 'ltr';
}

export function containsArabicScript(text: string): boolean {
  return ARABIC_SCRIPT.test(text);
}

/** Embedding level of every character (rules W7, N1, N2, I1, I2, with no explicit embeddings). */
function resolveLevels(chars: string[], base: Direction): number[] {
  const types = chars.map(classOf);
  // W7: a European number after a Latin letter (or at the start of a left-to-right line) is Latin.
  let lastStrong: 'L' | 'R' = base === 'rtl' ? 'R' : 'L';
  for (let i = 0; i < types.length; i++) {
    if (types[i] === 'L' || types[i] === 'R') lastStrong = types[i] as 'L' | 'R';
    else if (types[i] === 'EN' && lastStrong === 'L') types[i] = 'L';
  }
  // N1/N2: neutrals between two runs of the same direction take it (numbers count as R), else the paragraph's.
  const strength = (type: BidiClass): 'L' | 'R' | null => (type === 'L' ? 'L' : type === 'R' || type === 'EN' || type === 'AN' ? 'R' : null);
  for (let i = 0; i < types.length; ) {
    if (types[i] !== 'N') {
      i += 1;
      continue;
    }
    let end = i;
    while (end < types.length && types[end] === 'N') end += 1;
    const before = i === 0 ? (base === 'rtl' ? 'R' : 'L') : strength(types[i - 1]);
    const after = end === types.length ? (base === 'rtl' ? 'R' : 'L') : strength(types[end]);
    const resolved: BidiClass = before === after && before ? before : base === 'rtl' ? 'R' : 'L';
    for (let k = i; k < end; k++) types[k] = resolved;
    i = end;
  }
  const baseLevel = base === 'rtl' ? 1 : 0;
  return types.map((type) => {
    if (baseLevel === 0) return type === 'R' ? 1 : type === 'EN' || type === 'AN' ? 2 : 0;
    return type === 'R' ? 1 : 2;
  });
}

/**
 * Cuts a line into runs, each at one embedding level and in one font, and returns them in
 * visual order, left to right (rule L2).
 */
export function visualRuns(text: string, arabicFontHasNeutral: ArabicFontCoverage = (c) => c === ' ', base: Direction = paragraphDirection(text)): VisualRun[] {
  const chars = Array.from(text);
  if (chars.length === 0) return [];
  const levels = resolveLevels(chars, base);
  const arabicFont = chars.map((char, i) => ARABIC_SCRIPT.test(char) || (levels[i] % 2 === 1 && classOf(char) === 'N' && arabicFontHasNeutral(char)));
  const runs: { text: string; level: number; arabicFont: boolean }[] = [];
  for (let i = 0; i < chars.length; i++) {
    const last = runs[runs.length - 1];
    if (last && last.level === levels[i] && last.arabicFont === arabicFont[i]) last.text += chars[i];
    else runs.push({ text: chars[i], level: levels[i], arabicFont: arabicFont[i] });
  }
  const highest = Math.max(...runs.map((r) => r.level));
  const lowestOdd = Math.min(...runs.map((r) => r.level).filter((l) => l % 2 === 1), highest + 1);
  for (let level = highest; level >= lowestOdd; level--) {
    for (let i = 0; i < runs.length; ) {
      if (runs[i].level < level) {
        i += 1;
        continue;
      }
      let end = i;
      while (end < runs.length && runs[end].level >= level) end += 1;
      runs.splice(i, end - i, ...runs.slice(i, end).reverse());
      i = end;
    }
  }
  return runs.map((run) => {
    const direction: Direction = run.level % 2 === 1 ? 'rtl' : 'ltr';
    const shaperReverses = containsArabicScript(run.text);
    const reverse = (direction === 'rtl') !== shaperReverses;
    const mirror = direction === 'rtl' && !shaperReverses;
    const shaped = reverse ? Array.from(run.text).reverse().map((c) => (mirror ? (MIRRORED[c] ?? c) : c)).join('') : run.text;
    return { text: shaped, direction, arabicFont: run.arabicFont };
  });
}
