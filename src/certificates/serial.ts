import { randomInt } from 'node:crypto';

/**
 * Certificate serials, e.g. `ER-2026-K7QM-4TXH-9P2W`: the readable prefix and the year of
 * completion, then 11 random characters and a check character in three groups of four.
 *
 * - 31 characters, without the look-alikes 0/O, 1/I/L: 31^11 ≈ 2^54 serials a year, so serials
 *   cannot be guessed or counted through (the old ones, `ER-2026-000123`, were sequential).
 * - 31 is prime, so a weighted sum mod 31 with weights 1…16 over the year's digits and the 12
 *   characters catches every single wrong character and every swap of two neighbours: a
 *   mistyped serial is refused before any lookup.
 */
export const SERIAL_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const MODULUS = SERIAL_ALPHABET.length;
const RANDOM_LENGTH = 11;
const GROUP = 4;

/** The shape of a stored serial: the current form, or the sequential one older certificates keep. */
export const SERIAL_PATTERN = /^ER-\d{4}-(?:\d{6,9}|[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4})$/;

const LEGACY_COMPACT = /^ER(\d{4})(\d{6,9})$/;
const CURRENT_COMPACT = /^ER(\d{4})([0-9A-Z]{12})$/;

function weightedSum(year: string, characters: string): number {
  const values = [...year].map(Number).concat([...characters].map((c) => SERIAL_ALPHABET.indexOf(c)));
  return values.reduce((sum, value, i) => (sum + (i + 1) * value) % MODULUS, 0);
}

/** The character that makes the weighted sum of year, random part and itself 0 mod 31. */
export function checkCharacter(year: string, random: string): string {
  // The check character has weight 16, whose inverse mod 31 is 2 (16 × 2 = 32 ≡ 1).
  const sum = weightedSum(year, random);
  return SERIAL_ALPHABET[(MODULUS - ((2 * sum) % MODULUS)) % MODULUS];
}

function grouped(year: string, characters: string): string {
  const groups = characters.match(new RegExp(`.{1,${GROUP}}`, 'g')) ?? [];
  return ['ER', year, ...groups].join('-');
}

export function newSerial(year: string, pick: (max: number) => number = randomInt): string {
  let random = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) random += SERIAL_ALPHABET[pick(MODULUS)];
  return grouped(year, random + checkCharacter(year, random));
}

export type SerialInput = { kind: 'serial'; serial: string } | { kind: 'typo' } | { kind: 'invalid' };

/**
 * A serial as someone typed or pasted it: any case, spaces or dashes anywhere. The current form
 * must pass its check character (`typo` when not); the old sequential form is taken as it is.
 */
export function readSerial(input: string): SerialInput {
  const compact = input.toUpperCase().replace(/[\s\-\u2010-\u2015\u2212]/g, '');
  const legacy = LEGACY_COMPACT.exec(compact);
  if (legacy) return { kind: 'serial', serial: `ER-${legacy[1]}-${legacy[2]}` };
  const current = CURRENT_COMPACT.exec(compact);
  if (!current) return { kind: 'invalid' };
  const [, year, characters] = current;
  const valid = [...characters].every((c) => SERIAL_ALPHABET.includes(c)) && weightedSum(year, characters) === 0;
  return valid ? { kind: 'serial', serial: grouped(year, characters) } : { kind: 'typo' };
}

/** Only the old form is sequential: lookups of it are rate-limited more tightly. */
export function isLegacySerial(serial: string): boolean {
  return /^ER-\d{4}-\d{6,9}$/.test(serial);
}
