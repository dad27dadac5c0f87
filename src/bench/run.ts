import { ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';

/**
 * `npm run bench`: the app's pages and quiz endpoints under load on SQLite and on MariaDB
 * (BENCH_DB=sqlite,mariadb; MARIADB_URL names the server), each page beside a baseline that
 * renders the same template with no database, measured in the same run on the same machine
 * (the load generator shares the cores, so only ratios are comparable between machines), with
 * the database round trips the page costs and the web process's memory.
 */

const ROOT = join(__dirname, '..', '..');
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** BENCH_PAGES=lesson,course runs only the pages whose names contain one of these words, and no attempts (for profiling one page). */
const ONLY_PAGES = process.env.BENCH_PAGES?.split(',').map((word) => word.trim()).filter(Boolean);
const COURSE = 'alibaba-first-30-days';
const EXTRA_COURSES = ['listings-that-sell', 'getting-paid-safely'];
const PASSWORD = 'bench passphrase 2026';

interface Measured {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, ms = 30_000): Promise<void> {
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

/** BENCH_PROFILE=<dir> writes a V8 tick log of the web process under test there (read it with `node --prof-process <dir>/v8.log`). */
function start(script: string, env: Record<string, string>, profile = false): ChildProcess {
  const execArgv = profile && process.env.BENCH_PROFILE ? ['--prof', '--no-logfile-per-isolate', `--logfile=${join(process.env.BENCH_PROFILE, 'v8.log')}`] : [];
  return fork(join(ROOT, 'dist', script), [], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
}

async function load(name: string, url: string, headers: Record<string, string> = {}, extra: Partial<autocannon.Options> = {}): Promise<Measured> {
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

/** A tiny cookie-keeping client for setting up the learners the load runs as. */
class Session {
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
function answerFor(html: string): Record<string, string | string[]> {
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

async function learner(base: string, n: number): Promise<Session> {
  const s = new Session(base);
  await s.post('/register', { name: `Bench ${n}`, email: `bench${n}@example.pk`, password: PASSWORD, locale: 'en' }, '/register');
  await s.post(`/courses/${COURSE}/enrol`, {}, `/courses/${COURSE}`);
  return s;
}

/** One whole attempt: start, answer every question on its page, submit. */
async function takeAttempt(s: Session): Promise<boolean> {
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

function table(rows: Measured[], baseline: Record<string, string>, queries: Record<string, string>): void {
  const byName = new Map(rows.map((r) => [r.name, r]));
  console.log('\n| endpoint | req/s | p50 ms | p99 ms | non-2xx | queries | vs baseline |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const base = baseline[row.name] ? byName.get(baseline[row.name]) : undefined;
    const ratio = base ? `${(row.rps / base.rps).toFixed(2)}× of ${base.name}` : '—';
    console.log(`| ${row.name} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.non2xx} | ${queries[row.name] ?? '—'} | ${ratio} |`);
  }
}

interface DatabaseUnderTest {
  kind: 'sqlite' | 'mariadb';
  env: Record<string, string>;
  /** Counts graded attempts and their answers of the whole-attempt learners. */
  count(sql: string): Promise<number>;
  drop(): Promise<void>;
}

async function sqliteDatabase(dataDir: string): Promise<DatabaseUnderTest> {
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

async function mariadbDatabase(): Promise<DatabaseUnderTest> {
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

/** Resident memory of a process, from /proc (Linux), in MB. */
function rssMb(pid: number | undefined): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return null;
  }
}

/** Database round trips the app reports for one request (X-Query-Count, enabled for the bench). */
async function queriesFor(url: string, cookie = ''): Promise<string> {
  const response = await fetch(url, { headers: { cookie } });
  await response.arrayBuffer();
  return response.headers.get('x-query-count') ?? '?';
}

/**
 * Database round trips per page, from a second instance on the same database with the counter
 * on (it costs CPU, so the loaded instance runs without it); each page is read twice, warm.
 */
async function countQueries(env: Record<string, string>, pages: [string, string, string][]): Promise<Record<string, string>> {
  const port = await freePort();
  const counter = start('main.js', { ...env, PORT: String(port), QUERY_COUNT_HEADER: 'true', IMPORT_CONTENT_ON_START: 'false' });
  try {
    await waitFor(`http://127.0.0.1:${port}/health`, 60_000);
    const counts: Record<string, string> = {};
    for (const [name, path, cookie] of pages) {
      // Twice before counting: a process's first request of a session also writes its expiry (touch).
      await queriesFor(`http://127.0.0.1:${port}${path}`, cookie);
      await queriesFor(`http://127.0.0.1:${port}${path}`, cookie);
      counts[name] = await queriesFor(`http://127.0.0.1:${port}${path}`, cookie);
    }
    return counts;
  } finally {
    counter.kill();
    await once(counter, 'exit').catch(() => undefined);
  }
}

async function benchOne(database: DatabaseUnderTest, dataDir: string, contentDir: string, baseUrl: string): Promise<void> {
  const env = {
    DATA_DIR: dataDir,
    CONTENT_DIR: contentDir,
    NODE_ENV: 'production',
    SESSION_SECRET: 'bench-session-secret-0123456789-abcdefghij',
    LOG_LEVEL: 'error',
    ROLE: 'web',
    ...database.env,
  };
  const appPort = await freePort();
  // Loaded without the query counter, as in production; a second instance counts (see below).
  const app = start('main.js', { ...env, PORT: String(appPort), QUERY_COUNT_HEADER: 'false' }, true);
  const appUrl = `http://127.0.0.1:${appPort}`;
  try {
    await waitFor(`${appUrl}/health`, 60_000);
    console.log(`\n## ${database.kind}: ${DURATION}s per run, ${CONNECTIONS} connections, Node ${process.version}`);

    // A learner enrolled in three courses, a few lessons read, on the page under test.
    const reader = await learner(appUrl, 0);
    for (const slug of EXTRA_COURSES) await reader.post(`/courses/${slug}/enrol`, {}, `/courses/${slug}`);
    const lessonPath = `/courses/${COURSE}/modules/supplier-account`;
    for (const path of [lessonPath, `/courses/${COURSE}`, '/dashboard', '/courses']) await reader.page(path);
    const pages: [string, string, string, string][] = [
      ['catalog (anonymous)', `${appUrl}/courses`, 'baseline: catalog template', `${baseUrl}/catalog`],
      ['lesson (signed in, enrolled)', `${appUrl}${lessonPath}`, 'baseline: lesson template', `${baseUrl}/lesson`],
      ['course page (signed in, enrolled)', `${appUrl}/courses/${COURSE}`, 'baseline: course template', `${baseUrl}/course`],
      ['dashboard (signed in, 3 enrolments)', `${appUrl}/dashboard`, 'baseline: dashboard template', `${baseUrl}/dashboard`],
    ];
    const results: Measured[] = [];
    if (ONLY_PAGES) pages.splice(0, pages.length, ...pages.filter(([name]) => ONLY_PAGES.some((word) => name.includes(word))));
    for (const [name, url, baselineName, baselineUrl] of pages) {
      const cookie = name.includes('anonymous') ? '' : reader.cookie;
      results.push(await load(baselineName, baselineUrl));
      results.push(await load(name, url, cookie ? { cookie } : {}));
    }
    const queries = await countQueries(env, pages.map(([name, url]) => [name, url.replace(appUrl, ''), name.includes('anonymous') ? '' : reader.cookie]));

    // Answer saves on the real endpoint: one open 20-question attempt, the same answer re-saved.
    const saver = await learner(appUrl, 1);
    const started = await saver.post(`/courses/${COURSE}/quizzes/final/attempts`, {}, `/courses/${COURSE}/quizzes/final`);
    const attemptUrl = (started.headers.get('location') ?? '').replace(/\?.*$/, '');
    const questionPage = await saver.page(`${attemptUrl}?q=1`);
    const token = /name="_csrf" value="([^"]+)"/.exec(questionPage)?.[1] ?? '';
    const questionId = /name="questionId" value="(\d+)"/.exec(questionPage)?.[1] ?? '';
    const form = new URLSearchParams({ _csrf: token, questionId, go: 'next' });
    for (const [key, value] of Object.entries(answerFor(questionPage))) for (const v of [value].flat()) form.append(key, v);
    results.push(
      await load('quiz answer save (POST, signed in)', `${appUrl}${attemptUrl}/answers`, { cookie: saver.cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, { method: 'POST', body: form.toString() }),
    );
    table(
      results,
      Object.fromEntries([...pages.map(([name, , baselineName]) => [name, baselineName]), ['quiz answer save (POST, signed in)', 'baseline: lesson template']]),
      queries,
    );
    console.log(`\nWeb process RSS after the page runs: ${rssMb(app.pid)} MB`);
    if (ONLY_PAGES) return;

    // Whole attempts: learners in parallel each start, answer 20 questions and submit, repeatedly.
    const learners = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => learner(appUrl, 100 + i)));
    let submitted = 0;
    let failed = 0;
    const began = Date.now();
    await Promise.all(
      learners.map(async (s) => {
        while (Date.now() - began < DURATION * 1000) {
          if (await takeAttempt(s)) submitted += 1;
          else failed += 1;
        }
      }),
    );
    const seconds = (Date.now() - began) / 1000;
    const graded = await database.count(
      "SELECT COUNT(*) AS n FROM quiz_attempts a JOIN users u ON u.id = a.user_id WHERE u.email LIKE 'bench1__@example.pk' AND a.status = 'graded'",
    );
    const answers = await database.count(
      "SELECT COUNT(*) AS n FROM attempt_answers x JOIN quiz_attempts a ON a.id = x.attempt_id JOIN users u ON u.id = a.user_id WHERE u.email LIKE 'bench1__@example.pk' AND a.status = 'graded'",
    );
    console.log(
      `\nWhole 20-question attempts by ${CONNECTIONS} learners: ${submitted} submitted in ${seconds.toFixed(1)} s = ${(submitted / seconds).toFixed(1)} attempts/s ` +
        `(${((submitted * 22) / seconds).toFixed(0)} requests/s incl. start, 20 saves, submit); failed: ${failed}`,
    );
    console.log(`In the database afterwards: ${graded} graded attempts, ${answers} answers (expected ${submitted} and ${submitted * 20}) — ${graded === submitted && answers === submitted * 20 ? 'nothing lost' : 'MISMATCH'}`);
    console.log(`Web process RSS at the end: ${rssMb(app.pid)} MB`);
  } finally {
    app.kill();
    await once(app, 'exit').catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const kinds = (process.env.BENCH_DB ?? 'sqlite,mariadb').split(',').map((k) => k.trim());
  const basePort = await freePort();
  const baseline = start('bench/baseline-server.js', { PORT: String(basePort) });
  const baseUrl = `http://127.0.0.1:${basePort}`;
  try {
    await waitFor(`${baseUrl}/catalog`);
    for (const kind of kinds) {
      const dataDir = mkdtempSync(join(tmpdir(), 'exportready-bench-'));
      // The shipped courses, with unlimited attempts at the final so learners can keep submitting.
      const contentDir = join(dataDir, 'content');
      for (const slug of [COURSE, ...EXTRA_COURSES]) cpSync(join(ROOT, 'content', 'courses', slug), join(contentDir, 'courses', slug), { recursive: true });
      const yamlPath = join(contentDir, 'courses', COURSE, 'course.yaml');
      writeFileSync(yamlPath, readFileSync(yamlPath, 'utf8').replace(/attempts: \d+/g, 'attempts: 0'));
      const database = kind === 'mariadb' ? await mariadbDatabase() : await sqliteDatabase(dataDir);
      try {
        await benchOne(database, dataDir, contentDir, baseUrl);
      } finally {
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    baseline.kill();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
