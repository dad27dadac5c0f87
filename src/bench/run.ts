import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  answerFor,
  CONNECTIONS,
  copyBenchCourses,
  COURSE,
  DatabaseUnderTest,
  DURATION,
  EXTRA_COURSES,
  freePort,
  learner,
  load,
  loadPaired,
  mariadbDatabase,
  median,
  Paired,
  Measured,
  queriesFor,
  ROUNDS,
  rssMb,
  sqliteDatabase,
  start,
  takeAttempt,
  waitFor,
} from './bench-kit';

/**
 * `npm run bench`: the app's pages and quiz endpoints under load on SQLite and on MariaDB
 * (BENCH_DB=sqlite,mariadb; MARIADB_URL names the server), each page beside a baseline that
 * renders the same template with no database, measured in the same run on the same machine
 * (the load generator shares the cores, so only ratios are comparable between machines; the two
 * take turns BENCH_ROUNDS times, so drift in the machine's speed touches both), with
 * the database round trips the page costs and the web process's memory.
 */

/** BENCH_PAGES=lesson,course runs only the pages whose names contain one of these words, and no attempts (for profiling one page). */
const ONLY_PAGES = process.env.BENCH_PAGES?.split(',').map((word) => word.trim()).filter(Boolean);

function table(rows: Measured[], pairs: Map<string, Paired>, baseline: Record<string, string>, queries: Record<string, string>): void {
  const byName = new Map(rows.map((r) => [r.name, r]));
  console.log(`\n| endpoint | req/s | p50 ms | p99 ms | non-2xx | queries | vs baseline (median of ${ROUNDS} rounds, lowest–highest) |`);
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const pair = pairs.get(row.name);
    const base = baseline[row.name] ? byName.get(baseline[row.name]) : undefined;
    let ratio = '—';
    if (pair) ratio = `${median(pair.ratios).toFixed(2)}× (${pair.ratios[0].toFixed(2)}–${pair.ratios[pair.ratios.length - 1].toFixed(2)}) of ${pair.baseline.name}`;
    else if (base) ratio = `${(row.rps / base.rps).toFixed(2)}× of ${base.name}`;
    console.log(`| ${row.name} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.non2xx} | ${queries[row.name] ?? '—'} | ${ratio} |`);
  }
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
    // Every page twice before counting: a new process's caches start cold (and stay off until its
    // Redis subscription is up), and its first request of a session also writes the expiry (touch).
    for (let round = 0; round < 2; round++) for (const [, path, cookie] of pages) await queriesFor(`http://127.0.0.1:${port}${path}`, cookie);
    for (const [name, path, cookie] of pages) counts[name] = await queriesFor(`http://127.0.0.1:${port}${path}`, cookie);
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
    const pairs = new Map<string, Paired>();
    if (ONLY_PAGES) pages.splice(0, pages.length, ...pages.filter(([name]) => ONLY_PAGES.some((word) => name.includes(word))));
    for (const [name, url, baselineName, baselineUrl] of pages) {
      const cookie = name.includes('anonymous') ? '' : reader.cookie;
      const pair = await loadPaired({ name: baselineName, url: baselineUrl }, { name, url, headers: cookie ? { cookie } : {} });
      results.push(pair.baseline, pair.page);
      pairs.set(name, pair);
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
      pairs,
      Object.fromEntries([...pages.map(([name, , baselineName]) => [name, baselineName]), ['quiz answer save (POST, signed in)', 'baseline: lesson template']]),
      queries,
    );
    console.log(`\nWeb process RSS after the page runs: ${rssMb(app.pid)}`);
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
    console.log(`Web process RSS at the end: ${rssMb(app.pid)}`);
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
      const contentDir = join(dataDir, 'content');
      copyBenchCourses(contentDir);
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
