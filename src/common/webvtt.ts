/**
 * WebVTT caption files as trainers upload them: checked, reduced to plain-text cues (no markup,
 * no STYLE or REGION blocks, no cue settings) and written back out. What learners' browsers
 * load is that rewritten file, never the upload.
 */

export interface Cue {
  start: number;
  end: number;
  text: string;
}

export const VTT_MAX_BYTES = 1024 * 1024;
const MAX_CUES = 10_000;
const MAX_CUE_CHARS = 1000;

/** Why a file was refused: a translation key, and the line it is about when there is one. */
export class CaptionsInvalidError extends Error {
  constructor(
    readonly messageKey: string,
    readonly line?: number,
  ) {
    super(line ? `${messageKey} (line ${line})` : messageKey);
  }
}

const TIMESTAMP = /^(?:(\d{1,3}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;
const TIMING = /^(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t].*)?$/;

function seconds(text: string): number | null {
  const match = TIMESTAMP.exec(text);
  if (!match) return null;
  return Number(match[1] ?? 0) * 3600 + Number(match[2]) * 60 + Number(match[3]) + Number(match[4]) / 1000;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: '\u00a0', lrm: '\u200e', rlm: '\u200f', quot: '"', apos: "'" };

/** A cue's payload as plain text: tags (<b>, <v Speaker>, <00:01.000>…) dropped, entities decoded, control characters removed. */
export function plainCueText(payload: string): string {
  return payload
    .replace(/<[^>]*>?/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? whole;
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 31 && code < 0x110000 ? String.fromCodePoint(code) : '';
    })
    // eslint-disable-next-line no-control-regex -- control characters are what is removed
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');
}

function linesOf(data: Buffer): string[] {
  if (data.length > VTT_MAX_BYTES) throw new CaptionsInvalidError('videos.captions_too_large');
  const text = data.toString('utf8').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (text.includes('\uFFFD')) throw new CaptionsInvalidError('videos.captions_not_utf8');
  return text.split('\n');
}

const WEBVTT_HEADER = /^WEBVTT([ \t].*)?$/;

/** A WebVTT file (what this site stores and serves). */
export function parseWebVtt(data: Buffer): Cue[] {
  const lines = linesOf(data);
  if (!WEBVTT_HEADER.test(lines[0])) throw new CaptionsInvalidError('videos.captions_not_webvtt', 1);
  let i = 1;
  // The header's own lines run to the first blank line.
  while (i < lines.length && lines[i].trim() !== '') i++;
  return cueBlocks(lines, i);
}

/** An SRT block's start: its number, then a timing line with comma decimals. */
const SRT_START = /^\d+[ \t]*\n\s*\d{1,3}:\d{2}:\d{2},\d{3}[ \t]+-->/;

/**
 * A caption file as a trainer uploads it: WebVTT, or SubRip (.srt, what many caption tools
 * export), whose numbered blocks are WebVTT cues with an identifier once the timings' decimal
 * commas are points. Errors name the file's own line numbers either way.
 */
export function parseCaptions(data: Buffer): Cue[] {
  const lines = linesOf(data);
  if (WEBVTT_HEADER.test(lines[0])) return parseWebVtt(data);
  const first = lines.findIndex((line) => line.trim() !== '');
  if (first < 0 || !SRT_START.test(`${lines[first]}\n${lines[first + 1] ?? ''}`)) throw new CaptionsInvalidError('videos.captions_not_webvtt', 1);
  const timing = /^(\s*\d{1,3}:\d{2}:\d{2}),(\d{3}[ \t]+-->[ \t]+\d{1,3}:\d{2}:\d{2}),(\d{3})/;
  return cueBlocks(lines.map((line) => line.replace(timing, '$1.$2.$3')), 0);
}

function cueBlocks(lines: string[], from: number): Cue[] {
  const cues: Cue[] = [];
  let i = from;
  while (i < lines.length) {
    while (i < lines.length && lines[i].trim() === '') i++;
    if (i >= lines.length) break;
    const blockStart = i;
    const block: string[] = [];
    while (i < lines.length && lines[i].trim() !== '') block.push(lines[i++]);
    if (/^(NOTE|STYLE|REGION)([ \t]|$)/.test(block[0])) continue;
    // An optional cue identifier comes before the timing line.
    const timingIndex = block[0].includes('-->') ? 0 : 1;
    const timing = TIMING.exec(block[timingIndex] ?? '');
    const line = blockStart + timingIndex + 1;
    if (!timing) throw new CaptionsInvalidError('videos.captions_bad_timing', line);
    const start = seconds(timing[1]);
    const end = seconds(timing[2]);
    if (start === null || end === null || end <= start) throw new CaptionsInvalidError('videos.captions_bad_timing', line);
    const cueText = plainCueText(block.slice(timingIndex + 1).join('\n')).slice(0, MAX_CUE_CHARS);
    if (!cueText) continue;
    cues.push({ start, end, text: cueText });
    if (cues.length > MAX_CUES) throw new CaptionsInvalidError('videos.captions_too_many');
  }
  if (cues.length === 0) throw new CaptionsInvalidError('videos.captions_no_cues');
  return cues;
}

function timestamp(value: number): string {
  const ms = Math.round(value * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

/** Cue text is escaped so that the browser shows it as text, whatever it holds. */
function escapeCueText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/-->/g, '--&gt;');
}

export function writeWebVtt(cues: Cue[]): string {
  return `WEBVTT\n\n${cues.map((cue) => `${timestamp(cue.start)} --> ${timestamp(cue.end)}\n${escapeCueText(cue.text)}\n`).join('\n')}`;
}
