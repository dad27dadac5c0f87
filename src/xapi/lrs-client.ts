import { XapiConfig } from '../config/app-config';

const TIMEOUT_MS = 15_000;

/** What the LRS said: a status, or no answer at all (refused, reset, timed out). */
export type LrsAnswer = { status: number; body: string } | { status: null; body: string };

/**
 * The two statement requests of xAPI 1.0.3: POST a batch, PUT one statement under its id.
 * Plain fetch; every request carries the version header and Basic credentials when set.
 */
export class LrsClient {
  constructor(private readonly config: XapiConfig) {}

  postStatements(statements: string[]): Promise<LrsAnswer> {
    return this.send('POST', this.url(), `[${statements.join(',')}]`);
  }

  putStatement(statementId: string, statement: string): Promise<LrsAnswer> {
    return this.send('PUT', `${this.url()}?statementId=${encodeURIComponent(statementId)}`, statement);
  }

  private url(): string {
    return `${this.config.endpoint}statements`;
  }

  private async send(method: 'POST' | 'PUT', url: string, body: string): Promise<LrsAnswer> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Experience-API-Version': '1.0.3',
    };
    if (this.config.username !== null && this.config.password !== null) {
      headers.Authorization = `Basic ${Buffer.from(`${this.config.username}:${this.config.password}`).toString('base64')}`;
    }
    try {
      const response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
      return { status: response.status, body: (await response.text()).slice(0, 300) };
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      return { status: null, body: `${error instanceof Error ? error.message : String(error)}${cause}` };
    }
  }
}

/**
 * How an answer counts for the statements sent: stored (2xx, and 409, which says the id is
 * already stored, the statement being fixed at write time), worth trying again later (no answer,
 * 5xx, and the 4xx that are about the site or the moment rather than the statement: 401/403
 * wrong credentials, 404 wrong endpoint, 408, 429), or refused for good (every other 4xx).
 */
export function outcomeOf(answer: LrsAnswer): 'stored' | 'retry' | 'refused' {
  if (answer.status === null) return 'retry';
  if ((answer.status >= 200 && answer.status < 300) || answer.status === 409) return 'stored';
  if (answer.status >= 500 || [401, 403, 404, 408, 429].includes(answer.status)) return 'retry';
  return answer.status >= 400 ? 'refused' : 'retry';
}

export function describe(answer: LrsAnswer): string {
  const what =
    answer.status === null
      ? `no answer (${answer.body})`
      : `HTTP ${answer.status}${answer.body ? `: ${answer.body}` : ''}`;
  return what.slice(0, 500);
}
