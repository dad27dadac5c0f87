import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type ProcessRole = 'web' | 'worker' | 'all';
export type DatabaseKind = 'sqlite' | 'mariadb';

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  role: ProcessRole;
  port: number;
  baseUrl: string;
  dataDir: string;
  contentDir: string;
  database: { kind: DatabaseKind; url: string; sqlitePath?: string };
  redisUrl: string;
  sessionSecret: string;
  cookieSecure: boolean;
  /** Import content/ at start-up (the CLI `content:import` does it on demand). */
  importContentOnStart: boolean;
  logLevel: 'error' | 'warn' | 'log' | 'debug';
  /** Keys in Redis start with this, so several sites (or test runs) can share one Redis. */
  queuePrefix: string;
  /** Certificate jobs one worker process runs at once. */
  workerConcurrency: number;
  /** Rows one background transaction handles (progress refresh after a publish, CSV apply). */
  backgroundChunkSize: number;
  /** The programme or organisation named on certificates and in the signed credentials. */
  issuerName: string;
  /** A private Ed25519 JWK for signing credentials; null: one is generated once into DATA_DIR. */
  issuerKey: IssuerJwk | null;
  /** SMTP for "your certificate is ready" mail; null: learners get an in-app notice instead. */
  smtpUrl: string | null;
  mailFrom: string;
  /** Web processes to run on this machine (node:cluster); 1 runs the app in this process. */
  webConcurrency: number;
  /** Report each response's database round trips in an X-Query-Count header (tests, benchmarks). */
  queryCountHeader: boolean;
  /** xAPI statements to a learning record store (see src/xapi); null: nothing is recorded. */
  xapi: XapiConfig | null;
  /** Video lessons (src/videos). */
  video: VideoConfig;
}

export interface VideoConfig {
  ffmpegPath: string;
  ffprobePath: string;
  /** Largest upload accepted, in bytes. */
  maxBytes: number;
  /** Keep the uploaded file after a successful transcode (needed to transcode again later). */
  keepOriginal: boolean;
  /** Room the player may take on a phone for lessons saved for offline use, in bytes. */
  offlineBudgetBytes: number;
  /** Days a video no lesson uses any more (replaced, removed) keeps its files, for pages still open on it. */
  unusedDays: number;
}

export interface XapiConfig {
  /** The LRS's xAPI base URL, ending in a slash (statements go to `<endpoint>statements`). */
  endpoint: string;
  username: string | null;
  password: string | null;
  /** Identify learners by e-mail (mbox) instead of an account on this site. */
  actorMbox: boolean;
  /** Longest wait between two tries of a statement while the LRS does not answer. */
  retryMaxMs: number;
}

export interface IssuerJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  d: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
  }
}

type Env = Record<string, string | undefined>;

function readPort(env: Env): number {
  const raw = env.PORT ?? '3000';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError('PORT', `must be an integer 0–65535, got "${raw}"`);
  }
  return port;
}

function readUrl(env: Env, name: string, fallback: string, schemes: string[]): string {
  const raw = env[name] ?? fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL, got "${raw}"`);
  }
  if (!schemes.includes(url.protocol)) {
    throw new ConfigError(name, `must start with ${schemes.join(' or ')}, got "${raw}"`);
  }
  return raw;
}

function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name] ?? fallback;
  if (!allowed.includes(raw as T)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function readDatabase(env: Env, dataDir: string): AppConfig['database'] {
  const raw = env.DATABASE_URL;
  if (!raw) {
    const sqlitePath = join(dataDir, 'exportready.sqlite');
    return { kind: 'sqlite', url: `sqlite:${sqlitePath}`, sqlitePath };
  }
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path, e.g. sqlite:./data/app.sqlite');
    return { kind: 'sqlite', url: raw, sqlitePath: path === ':memory:' ? path : resolve(path) };
  }
  if (raw.startsWith('mysql://') || raw.startsWith('mariadb://')) {
    try {
      const url = new URL(raw);
      if (url.pathname.length <= 1) throw new ConfigError('DATABASE_URL', 'must name a database, e.g. mysql://root@127.0.0.1:3306/exportready');
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError('DATABASE_URL', `is not a valid URL: "${raw}"`);
    }
    return { kind: 'mariadb', url: raw };
  }
  throw new ConfigError('DATABASE_URL', `must start with sqlite: or mysql:// (or mariadb://), got "${raw}"`);
}

function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer ${min}–${max}, got "${raw}"`);
  }
  return value;
}

function readIssuerName(env: Env): string {
  const name = (env.ISSUER_NAME ?? 'ExportReady').trim();
  if (!name || name.length > 120) throw new ConfigError('ISSUER_NAME', 'must be 1–120 characters');
  return name;
}

/** The signing key must be a private Ed25519 key in JWK form; anything else would fail at the first certificate. */
function readIssuerKey(env: Env): IssuerJwk | null {
  const raw = env.ISSUER_KEY;
  if (!raw) return null;
  let jwk: Record<string, unknown>;
  try {
    jwk = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new ConfigError('ISSUER_KEY', 'must be a JSON Web Key (JSON), e.g. {"kty":"OKP","crv":"Ed25519","x":"…","d":"…"}');
  }
  if (jwk?.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || typeof jwk.d !== 'string') {
    throw new ConfigError('ISSUER_KEY', 'must be a private Ed25519 key: kty "OKP", crv "Ed25519", with x and d');
  }
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d };
}

function readXapi(env: Env): XapiConfig | null {
  if (!env.XAPI_ENDPOINT) return null;
  const endpoint = readUrl(env, 'XAPI_ENDPOINT', '', ['http:', 'https:']);
  const username = env.XAPI_USERNAME || null;
  const password = env.XAPI_PASSWORD || null;
  if ((username === null) !== (password === null)) {
    throw new ConfigError(username === null ? 'XAPI_USERNAME' : 'XAPI_PASSWORD', 'must be set together with the other (Basic authentication)');
  }
  if (username?.includes(':')) throw new ConfigError('XAPI_USERNAME', 'must not contain ":" (Basic authentication)');
  return {
    endpoint: endpoint.endsWith('/') ? endpoint : `${endpoint}/`,
    username,
    password,
    actorMbox: readBoolean(env, 'XAPI_ACTOR_MBOX', false),
    retryMaxMs: readInteger(env, 'XAPI_RETRY_MAX_SECONDS', 300, 1, 86_400) * 1000,
  };
}

function readVideo(env: Env): VideoConfig {
  const path = (name: string, fallback: string) => {
    const value = (env[name] ?? fallback).trim();
    if (!value) throw new ConfigError(name, 'must name a program, e.g. /usr/bin/ffmpeg');
    return value;
  };
  return {
    ffmpegPath: path('FFMPEG_PATH', 'ffmpeg'),
    ffprobePath: path('FFPROBE_PATH', 'ffprobe'),
    maxBytes: readInteger(env, 'VIDEO_MAX_MB', 500, 1, 2000) * 1024 * 1024,
    keepOriginal: readBoolean(env, 'VIDEO_KEEP_ORIGINAL', true),
    offlineBudgetBytes: readInteger(env, 'VIDEO_OFFLINE_BUDGET_MB', 50, 0, 10_000) * 1024 * 1024,
    unusedDays: readInteger(env, 'VIDEO_UNUSED_DAYS', 7, 1, 365),
  };
}

function readQueuePrefix(env: Env): string {
  const prefix = env.QUEUE_PREFIX ?? 'exportready';
  // Braces make a Redis Cluster hash tag: every key of every queue lands in one slot, as BullMQ needs.
  if (!/^([A-Za-z0-9_-]{1,40}|\{[A-Za-z0-9_-]{1,38}\})$/.test(prefix)) {
    throw new ConfigError('QUEUE_PREFIX', `must be 1–40 letters, digits, - or _ (or such a name in braces, a Redis Cluster hash tag), got "${prefix}"`);
  }
  return prefix;
}

/** A secret generated once and kept in the data dir, so the embedded default survives restarts. */
function embeddedSessionSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = readEnum(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const dataDir = resolve(env.DATA_DIR ?? './data');
  mkdirSync(dataDir, { recursive: true });
  const baseUrl = readUrl(env, 'BASE_URL', `http://localhost:${env.PORT ?? '3000'}`, ['http:', 'https:']).replace(/\/$/, '');

  let sessionSecret = env.SESSION_SECRET;
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters');
  }
  if (!sessionSecret) {
    if (nodeEnv === 'production') throw new ConfigError('SESSION_SECRET', 'is required when NODE_ENV=production');
    sessionSecret = embeddedSessionSecret(dataDir);
  }

  const issuerName = readIssuerName(env);
  return {
    env: nodeEnv,
    role: readEnum(env, 'ROLE', ['web', 'worker', 'all'] as const, 'all'),
    port: readPort(env),
    baseUrl,
    dataDir,
    contentDir: resolve(env.CONTENT_DIR ?? './content'),
    database: readDatabase(env, dataDir),
    redisUrl: readUrl(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    sessionSecret,
    cookieSecure: readBoolean(env, 'COOKIE_SECURE', baseUrl.startsWith('https:')),
    importContentOnStart: readBoolean(env, 'IMPORT_CONTENT_ON_START', true),
    logLevel: readEnum(env, 'LOG_LEVEL', ['error', 'warn', 'log', 'debug'] as const, 'log'),
    queuePrefix: readQueuePrefix(env),
    workerConcurrency: readInteger(env, 'WORKER_CONCURRENCY', 4, 1, 64),
    backgroundChunkSize: readInteger(env, 'BACKGROUND_CHUNK_SIZE', 500, 1, 10_000),
    issuerName,
    issuerKey: readIssuerKey(env),
    smtpUrl: env.SMTP_URL ? readUrl(env, 'SMTP_URL', '', ['smtp:', 'smtps:']) : null,
    mailFrom: env.MAIL_FROM?.trim() || `${issuerName} <no-reply@${new URL(baseUrl).hostname}>`,
    webConcurrency: readInteger(env, 'WEB_CONCURRENCY', 1, 1, 64),
    queryCountHeader: readBoolean(env, 'QUERY_COUNT_HEADER', nodeEnv === 'test'),
    xapi: readXapi(env),
    video: readVideo(env),
  };
}
