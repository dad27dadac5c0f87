/**
 * CSV as spreadsheets read it (RFC 4180, CRLF). Cells that a spreadsheet would run as a formula
 * (=, +, -, @ …) are prefixed with an apostrophe: an export must never execute what a learner typed.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** Starts a file so Excel reads it as UTF-8 (Urdu names would otherwise turn into mojibake). */
export const CSV_BOM = '\uFEFF';
