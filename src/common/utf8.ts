import { isUtf8 } from 'node:buffer';

/**
 * The 1-based line of the first byte that is not UTF-8, or null when the whole text is UTF-8.
 * A file saved as Latin-1 or Windows-1252 (é is the single byte 0xE9) would otherwise be read
 * with U+FFFD in place of its letters and no warning.
 */
export function firstNonUtf8Line(bytes: Buffer): number | null {
  if (isUtf8(bytes)) return null;
  // Decoding replaces each malformed sequence with U+FFFD; everything before the first one
  // encodes back to the same bytes, so the first difference lies in that sequence, which never
  // holds a line break (an ASCII byte ends a malformed sequence).
  const again = Buffer.from(bytes.toString('utf8'), 'utf8');
  let at = 0;
  while (at < bytes.length && bytes[at] === again[at]) at += 1;
  let line = 1;
  for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line += 1;
  return line;
}
