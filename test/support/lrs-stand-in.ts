import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A small learning record store for the tests: takes xAPI 1.0.3 statements at
 * `/xapi/statements` (POST a statement or a batch, PUT one under `?statementId=`), checks each
 * against the rules of the specification that matter here, and keeps the ones it accepts.
 * It can be switched down (503, or no listener at all), made to take part of a batch and then
 * fail, or to refuse a given statement.
 */

type Json = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
// RFC 5646, simplified: a language, then subtags of 1–8 letters or digits.
const LANGUAGE_TAG = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i;
// ISO 8601 date and time with a time zone.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const INTERACTION_TYPES = new Set([
  'true-false',
  'choice',
  'fill-in',
  'long-fill-in',
  'matching',
  'performance',
  'sequencing',
  'likert',
  'numeric',
  'other',
]);
const STATEMENT_KEYS = new Set([
  'id',
  'actor',
  'verb',
  'object',
  'result',
  'context',
  'timestamp',
  'stored',
  'authority',
  'version',
  'attachments',
]);

function isIri(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return /^[a-z][a-z0-9+.-]*:/i.test(value) && !!new URL(value).protocol;
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function languageMapProblem(value: unknown, where: string): string | null {
  if (!isObject(value) || Object.keys(value).length === 0) return `${where} must be a non-empty language map`;
  for (const [tag, text] of Object.entries(value)) {
    if (!LANGUAGE_TAG.test(tag)) return `${where} has "${tag}", not a language tag`;
    if (typeof text !== 'string') return `${where}["${tag}"] must be a string`;
  }
  return null;
}

function agentProblem(actor: unknown): string | null {
  if (!isObject(actor)) return 'actor is required';
  if (actor.objectType !== undefined && actor.objectType !== 'Agent') return 'actor.objectType must be Agent';
  const ifis = ['mbox', 'mbox_sha1sum', 'openid', 'account'].filter((key) => actor[key] !== undefined);
  if (ifis.length !== 1) return `an Agent needs exactly one identifier, has ${ifis.length}`;
  if (
    actor.mbox !== undefined &&
    !(typeof actor.mbox === 'string' && /^mailto:[^@\s]+@[^@\s]+$/.test(actor.mbox))
  )
    return 'actor.mbox must be a mailto: IRI';
  if (actor.account !== undefined) {
    const account = actor.account;
    if (!isObject(account) || !isIri(account.homePage) || typeof account.name !== 'string' || !account.name)
      return 'actor.account needs homePage (an IRL) and name';
  }
  return null;
}

function activityProblem(activity: unknown, where: string): string | null {
  if (!isObject(activity)) return `${where} is required`;
  if (activity.objectType !== undefined && activity.objectType !== 'Activity')
    return `${where}.objectType must be Activity here`;
  if (!isIri(activity.id)) return `${where}.id must be an IRI`;
  const definition = activity.definition;
  if (definition !== undefined) {
    if (!isObject(definition)) return `${where}.definition must be an object`;
    if (definition.type !== undefined && !isIri(definition.type))
      return `${where}.definition.type must be an IRI`;
    if (
      definition.interactionType !== undefined &&
      !INTERACTION_TYPES.has(String(definition.interactionType))
    )
      return `${where}.definition.interactionType is not an xAPI interaction type`;
    for (const key of ['name', 'description']) {
      if (definition[key] !== undefined) {
        const problem = languageMapProblem(definition[key], `${where}.definition.${key}`);
        if (problem) return problem;
      }
    }
  }
  return null;
}

/** The first rule a statement breaks, or null. */
export function statementProblem(statement: unknown): string | null {
  if (!isObject(statement)) return 'a statement must be an object';
  for (const key of Object.keys(statement)) if (!STATEMENT_KEYS.has(key)) return `unknown property "${key}"`;
  if (statement.id !== undefined && !(typeof statement.id === 'string' && UUID.test(statement.id)))
    return 'id must be a UUID';
  const actorProblem = agentProblem(statement.actor);
  if (actorProblem) return actorProblem;
  const verb = statement.verb;
  if (!isObject(verb) || !isIri(verb.id)) return 'verb.id must be an IRI';
  if (verb.display !== undefined) {
    const problem = languageMapProblem(verb.display, 'verb.display');
    if (problem) return problem;
  }
  const objectProblem = activityProblem(statement.object, 'object');
  if (objectProblem) return objectProblem;
  const result = statement.result;
  if (result !== undefined) {
    if (!isObject(result)) return 'result must be an object';
    for (const key of ['success', 'completion'])
      if (result[key] !== undefined && typeof result[key] !== 'boolean')
        return `result.${key} must be a boolean`;
    const score = result.score;
    if (score !== undefined) {
      if (!isObject(score)) return 'result.score must be an object';
      const { scaled, raw, min, max } = score as Record<string, unknown>;
      if (scaled !== undefined && !(typeof scaled === 'number' && scaled >= -1 && scaled <= 1))
        return 'result.score.scaled must be a number in [-1, 1]';
      if (
        min !== undefined &&
        max !== undefined &&
        !(typeof min === 'number' && typeof max === 'number' && min < max)
      )
        return 'result.score.min must be below max';
      if (
        raw !== undefined &&
        (typeof raw !== 'number' ||
          (typeof min === 'number' && raw < min) ||
          (typeof max === 'number' && raw > max))
      )
        return 'result.score.raw must lie between min and max';
    }
  }
  const context = statement.context;
  if (context !== undefined) {
    if (!isObject(context)) return 'context must be an object';
    if (
      context.language !== undefined &&
      !(typeof context.language === 'string' && LANGUAGE_TAG.test(context.language))
    )
      return 'context.language must be a language tag';
    const activities = context.contextActivities;
    if (activities !== undefined) {
      if (!isObject(activities)) return 'context.contextActivities must be an object';
      for (const [kind, list] of Object.entries(activities)) {
        if (!['parent', 'grouping', 'category', 'other'].includes(kind))
          return `context.contextActivities.${kind} is not a kind of context activity`;
        for (const [i, activity] of (Array.isArray(list) ? list : [list]).entries()) {
          const problem = activityProblem(activity, `context.contextActivities.${kind}[${i}]`);
          if (problem) return problem;
        }
      }
    }
  }
  if (
    statement.timestamp !== undefined &&
    !(
      typeof statement.timestamp === 'string' &&
      TIMESTAMP.test(statement.timestamp) &&
      !Number.isNaN(Date.parse(statement.timestamp))
    )
  ) {
    return 'timestamp must be an ISO 8601 date and time with a time zone';
  }
  return null;
}

export interface StoredStatement {
  id: string;
  verb: string;
  object: string;
  statement: Json;
}

export interface LrsRequest {
  method: string;
  ids: string[];
  status: number;
}

export class LrsStandIn {
  /** Accepted statements, in the order they were first stored. */
  readonly stored: StoredStatement[] = [];
  readonly requests: LrsRequest[] = [];
  /** Statements that broke a rule, with the rule. */
  readonly invalid: { statement: unknown; problem: string }[] = [];
  /** '503': answers 503 to everything; 'refused': nobody listens on the port. */
  private down: 'no' | '503' | 'refused' = 'no';
  private halfTakeNextBatch = false;
  /** Ids answered 400 (as if the LRS found them wrong). */
  readonly refuse = new Set<string>();
  /** Some LRSs answer 409 to a batch holding any id they already have, even with the same content. */
  conflictOnAnyKnownId = false;
  private readonly byId = new Map<string, string>();
  private readonly sockets = new Set<Socket>();
  private server: Server;

  private constructor(
    private port: number,
    readonly credentials: { username: string; password: string },
  ) {
    this.server = this.newServer();
  }

  static async start(credentials = { username: 'lrs-key', password: 'lrs-secret' }): Promise<LrsStandIn> {
    const lrs = new LrsStandIn(0, credentials);
    await lrs.listen();
    return lrs;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}/xapi/`;
  }

  /** Stores a statement as if another system had sent it first (for conflicts). */
  preload(statement: Json): void {
    this.byId.set(String(statement.id), JSON.stringify(statement));
  }

  /** The next POST of two or more statements stores the first half of them, then answers 503 (as if the answer was lost). */
  takeHalfOfNextBatch(): void {
    this.halfTakeNextBatch = true;
  }

  async setDown(mode: 'no' | '503' | 'refused'): Promise<void> {
    if (mode === 'refused' && this.down !== 'refused') {
      this.server.close();
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    }
    if (mode !== 'refused' && this.down === 'refused') {
      this.server = this.newServer();
      await this.listen();
    }
    this.down = mode;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) {
      this.server.close();
      await once(this.server, 'close');
    }
  }

  private newServer(): Server {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private async listen(): Promise<void> {
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://lrs');
    const answer = (status: number, body?: unknown, ids: string[] = []) => {
      this.requests.push({ method: req.method ?? '?', ids, status });
      res.writeHead(status, { 'Content-Type': 'application/json', 'X-Experience-API-Version': '1.0.3' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (this.down === '503') return answer(503, { error: 'down for maintenance' });
    if (url.pathname !== '/xapi/statements') return answer(404, { error: 'no such resource' });
    if (!/^1\.0(\.\d+)?$/.test(String(req.headers['x-experience-api-version'] ?? '')))
      return answer(400, { error: 'X-Experience-API-Version header missing' });
    const expected = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return answer(401, { error: 'bad credentials' });
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      return answer(400, { error: 'Content-Type must be application/json' });
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(400, { error: 'not JSON' });
    }
    if (req.method === 'PUT') {
      const id = url.searchParams.get('statementId');
      if (!id || !isObject(body) || (body.id !== undefined && body.id !== id))
        return answer(400, { error: 'statementId missing or not the statement id' });
      const { status } = this.take([{ ...body, id }], false);
      return answer(status === 200 ? 204 : status, status === 200 ? undefined : { error: 'refused' }, [id]);
    }
    if (req.method === 'POST') {
      const statements = (Array.isArray(body) ? body : [body]) as Json[];
      const { status, ids } = this.take(statements, true);
      return answer(
        status,
        status === 200 ? ids : { error: 'refused' },
        statements.map((s) => String(s?.id)),
      );
    }
    return answer(405, { error: 'method not allowed' });
  }

  /** The xAPI rules for storing: all or nothing, unless told to fail half-way. */
  private take(statements: Json[], batch: boolean): { status: number; ids: string[] } {
    const ids = statements.map((s) => String(s?.id));
    if (new Set(ids).size !== ids.length) return { status: 400, ids };
    for (const statement of statements) {
      const problem = statementProblem(statement);
      if (problem) {
        this.invalid.push({ statement, problem });
        return { status: 400, ids };
      }
      if (this.refuse.has(String(statement.id))) return { status: 400, ids };
    }
    for (const statement of statements) {
      const known = this.byId.get(String(statement.id));
      if (
        known !== undefined &&
        (known !== JSON.stringify(statement) || (batch && this.conflictOnAnyKnownId))
      )
        return { status: 409, ids };
    }
    let limit = statements.length;
    if (batch && this.halfTakeNextBatch && statements.length >= 2) {
      limit = Math.floor(statements.length / 2);
      this.halfTakeNextBatch = false;
    }
    for (const statement of statements.slice(0, limit)) {
      const id = String(statement.id);
      if (this.byId.has(id)) continue;
      this.byId.set(id, JSON.stringify(statement));
      this.stored.push({
        id,
        verb: String((statement.verb as Json).id),
        object: String((statement.object as Json).id),
        statement,
      });
    }
    return { status: limit < statements.length ? 503 : 200, ids };
  }
}
