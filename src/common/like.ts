/**
 * "Contains" search with LIKE, portable between SQLite and MariaDB. A typed % or _ is searched
 * for literally. The escape character is "!" because a backslash means different things in the
 * two dialects' string literals; use the pattern as `column LIKE :param ${LIKE_ESCAPE}`.
 */
export const LIKE_ESCAPE = "ESCAPE '!'";

export function containsPattern(term: string): string {
  return `%${term.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}
