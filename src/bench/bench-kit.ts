import { ChildProcess, fork } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';

/** What the load benchmarks share: processes, learners driven over HTTP, databases, memory. */

export const ROOT = join(__dirname, '..', '..');
export const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/**
 * Page and baseline are measured in turns, this many times each: on a shared machine the speed
 * drifts by 2× within minutes, and taking turns lets the drift touch both sides alike.
 */
export const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
export const COURSE = 'alibaba-first-30-days';
export const EXTRA_COURSES = ['listings-that-sell', 'getting-paid-safely'];
export const PASSWORD = 'bench passphrase 2026';

export interface Measured {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(url: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer`);
}

/**
 * The Node flags production runs with, read from `npm run start:prod` so the benchmark measures
 * exactly what the README tells operators to run (a small young generation and a heap limit, which
 * keep a web process's memory near 155 MB under load).
 */
export function productionNodeFlags(): string[] {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  return scripts['start:prod'].split(/\s+/).filter((word) => word.startsWith('--'));
}

/**
 * Starts a compiled script with production's Node flags. BENCH_PROFILE=<dir> also writes a V8 tick
 * log of a `profile`d process there (read it with `node --prof-process <dir>/v8.log`).
 */
export function start(script: string, env: Record<string, string>, profile = false): ChildProcess {
  // BENCH_NODE_FLAGS tries other flags (say, heap limits) against the same run's baseline before they go into package.json.
  const execArgv = [...productionNodeFlags(), ...(process.env.BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [])];
  if (profile && process.env.BENCH_PROFILE) execArgv.push('--prof', '--no-logfile-per-isolate', `--logfile=${join(process.env.BENCH_PROFILE, 'v8.log')}`);
  return fork(join(ROOT, 'dist', script), [], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
}

export async function load(name: string, url: string, headers: Record<string, string> = {}, extra: Partial<autocannon.Options> = {}): Promise<Measured> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers: { 'accept-encoding': 'gzip', ...headers }, ...extra });
  return {
    name,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A page against its baseline, over rounds taken in turns: medians, and the ratio of each round. */
export interface Paired {
  baseline: Measured;
  page: Measured;
  /** page req/s ÷ baseline req/s, per round, lowest first. */
  ratios: number[];
}

export async function loadPaired(
  baseline: { name: string; url: string; headers?: Record<string, string> },
  page: { name: string; url: string; headers?: Record<string, string> },
): Promise<Paired> {
  const baselineRuns: Measured[] = [];
  const pageRuns: Measured[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    baselineRuns.push(await load(baseline.name, baseline.url, baseline.headers));
    pageRuns.push(await load(page.name, page.url, page.headers));
  }
  const combine = (name: string, runs: Measured[]): Measured => ({
    name,
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    rps: median(runs.map((run) => run.rps)),
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
  });
  return {
    baseline: combine(baseline.name, baselineRuns),
    page: combine(page.name, pageRuns),
    ratios: pageRuns.map((run, i) => run.rps / baselineRuns[i].rps).sort((a, b) => a - b),
  };
}

/** A tiny cookie-keeping client for setting up the learners the load runs as. */
export class Session {
  cookie = '';
  constructor(private readonly base: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(this.base + path, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), cookie: this.cookie } });
    const set = response.headers.getSetCookie?.() ?? [];
    for (const c of set) if (c.startsWith('er.sid=')) this.cookie = c.split(';')[0];
    return response;
  }

  async page(path: string): Promise<string> {
    return (await this.request(path)).text();
  }

  async post(path: string, form: Record<string, string | string[]>, tokenFrom: string): Promise<Response> {
    const html = await this.page(tokenFrom);
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const body = new URLSearchParams();
    body.append('_csrf', token);
    for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) body.append(key, v);
    return this.request(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
}

/** A plausible answer read off the question page: the first choice, or something typed. */
export function answerFor(html: string): Record<string, string | string[]> {
  if (/type="checkbox"/.test(html)) return { 'answer[]': ['0'] };
  if (/name="answer\[0\]"/.test(html)) {
    const fields: Record<string, string> = {};
    for (const match of html.matchAll(/name="answer\[(\d+)\]"><option value="">…<\/option><option\s*>([^<]*)</g)) fields[`answer[${match[1]}]`] = match[2];
    return fields;
  }
  if (/type="radio"/.test(html) || /id="gap"/.test(html)) return { answer: /value="true"/.test(html) ? 'true' : '0' };
  if (/inputmode="decimal"/.test(html)) return { answer: '1' };
  return { answer: 'x' };
}

export async function learner(base: string, n: number): Promise<Session> {
  const s = new Session(base);
  await s.post('/register', { name: `Bench ${n}`, email: `bench${n}@example.pk`, password: PASSWORD, locale: 'en' }, '/register');
  await s.post(`/courses/${COURSE}/enrol`, {}, `/courses/${COURSE}`);
  return s;
}

/** One whole attempt: start, answer every question on its page, submit. */
export async function takeAttempt(s: Session): Promise<boolean> {
  const started = await s.post(`/courses/${COURSE}/quizzes/final/attempts`, {}, `/courses/${COURSE}/quizzes/final`);
  const location = started.headers.get('location') ?? '';
  const url = location.replace(/\?.*$/, '');
  if (!url.includes('/attempts/')) return false;
  for (let q = 1; ; q++) {
    const html = await s.page(`${url}?q=${q}`);
    const id = /name="questionId" value="(\d+)"/.exec(html)?.[1];
    if (!id) break;
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const body = new URLSearchParams({ _csrf: token, questionId: id, go: 'next' });
    for (const [key, value] of Object.entries(answerFor(html))) for (const v of [value].flat()) body.append(key, v);
    const saved = await s.request(`${url}/answers`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    if (saved.status !== 303) return false;
  }
  const submitted = await s.post(`${url}/submit`, {}, url);
  return submitted.status === 303;
}

export interface DatabaseUnderTest {
  kind: 'sqlite' | 'mariadb';
  env: Record<string, string>;
  /** Counts graded attempts and their answers of the whole-attempt learners. */
  count(sql: string): Promise<number>;
  drop(): Promise<void>;
}

export async function sqliteDatabase(dataDir: string): Promise<DatabaseUnderTest> {
  const file = join(dataDir, 'exportready.sqlite');
  return {
    kind: 'sqlite',
    env: { DATABASE_URL: `sqlite:${file}` },
    count: async (sql) => {
      const db = new Database(file, { readonly: true });
      try {
        return Number((db.prepare(sql).get() as { n: number }).n);
      } finally {
        db.close();
      }
    },
    drop: async () => undefined,
  };
}

export async function mariadbDatabase(): Promise<DatabaseUnderTest> {
  const server = new URL(process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/');
  const options = { host: server.hostname, port: Number(server.port || 3306), user: server.username || 'root', password: decodeURIComponent(server.password) };
  const name = `er_bench_${process.pid}`;
  const admin = await createConnection(options);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = `mysql://${options.user}${options.password ? ':' + options.password : ''}@${options.host}:${options.port}/${name}`;
  return {
    kind: 'mariadb',
    env: { DATABASE_URL: url },
    count: async (sql) => {
      const conn = await createConnection({ ...options, database: name });
      try {
        const [rows] = await conn.query(sql);
        return Number((rows as { n: number }[])[0].n);
      } finally {
        await conn.end();
      }
    },
    drop: async () => {
      const conn = await createConnection(options);
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

/** Resident memory of a process, from /proc (Linux), in MB: all of it, and the anonymous part (heap and malloc, not code). */
export function rssMb(pid: number | undefined): string {
  try {
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    const anonymous = Number(/Anonymous:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]);
    return `${Math.round(rss / 1024)} MB (anonymous ${Math.round(anonymous / 1024)} MB)`;
  } catch {
    return 'unknown';
  }
}

/** Database round trips the app reports for one request (X-Query-Count, enabled for the bench). */
export async function queriesFor(url: string, cookie = ''): Promise<string> {
  const response = await fetch(url, { headers: { cookie } });
  await response.arrayBuffer();
  return response.headers.get('x-query-count') ?? '?';
}


/** The shipped courses the benchmarks use, with unlimited attempts at the final so learners can keep submitting. */
export function copyBenchCourses(contentDir: string): void {
  for (const slug of [COURSE, ...EXTRA_COURSES]) cpSync(join(ROOT, 'content', 'courses', slug), join(contentDir, 'courses', slug), { recursive: true });
  const yamlPath = join(contentDir, 'courses', COURSE, 'course.yaml');
  writeFileSync(yamlPath, readFileSync(yamlPath, 'utf8').replace(/attempts: \d+/g, 'attempts: 0'));
}
