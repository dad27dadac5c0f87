import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import { AdvancedConsoleLogger, LoggerOptions, QueryRunner } from 'typeorm';

/**
 * Database round trips per request. Every web process shares one database, so queries per
 * page are what limits a national cohort, not only speed: tests and the benchmark read the
 * count, and a page that starts to cost more shows up in a failing test rather than in
 * production.
 */
export interface QueryTally {
  count: number;
  /** The statements themselves, kept only when asked for (tests that explain a failure). */
  statements?: string[];
}

const tallies = new AsyncLocalStorage<QueryTally>();

export const QUERY_COUNT_HEADER = 'X-Query-Count';
/** In tests, the statements themselves (URI-encoded, joined by newlines), so a failing budget says which query was extra. */
export const QUERY_STATEMENTS_HEADER = 'X-Query-Statements';

/** Runs `work` with its own tally; every query issued from its async context is counted. */
export function withQueryTally<T>(work: () => T, keepStatements = false): { tally: QueryTally; result: T } {
  const tally: QueryTally = { count: 0, ...(keepStatements ? { statements: [] } : {}) };
  const result = tallies.run(tally, work);
  return { tally, result };
}

/** TypeORM calls logQuery for every statement it sends, inside the caller's async context. */
export class CountingLogger extends AdvancedConsoleLogger {
  constructor(options: LoggerOptions) {
    super(options);
  }

  override logQuery(query: string, parameters?: unknown[], queryRunner?: QueryRunner): void {
    const tally = tallies.getStore();
    if (tally) {
      tally.count++;
      tally.statements?.push(query);
    }
    super.logQuery(query, parameters, queryRunner);
  }
}

/**
 * Counts the queries of each request and reports them in a response header (tests and the
 * benchmark read it). Mounted first, so the session and user lookups count too.
 */
export function queryCountMiddleware(withStatements = false) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    withQueryTally(() => {
      const tally = tallies.getStore() as QueryTally;
      const writeHead = res.writeHead;
      res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
        if (!res.headersSent) {
          res.setHeader(QUERY_COUNT_HEADER, String(tally.count));
          if (tally.statements) res.setHeader(QUERY_STATEMENTS_HEADER, encodeURIComponent(tally.statements.join('\n').slice(0, 4000)));
        }
        return writeHead.apply(this, args);
      } as Response['writeHead'];
      next();
    }, withStatements);
  };
}
