import { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteQueueKeys } from '../queues/redis-connection';
import { CONNECTIONS, copyBenchCourses, COURSE, DURATION, freePort, learner, load, mariadbDatabase, start, takeAttempt, waitFor } from './bench-kit';

/**
 * `npm run bench:processes`: the production layout on MariaDB + Redis, one web and one worker
 * process against N web processes (WEB_CONCURRENCY) and M workers, each on a fresh database, in
 * the same run: a signed-in lesson page under load, then whole quiz attempts by many learners,
 * with everything they submitted counted in the database afterwards. BENCH_LAYOUTS=1x1,2x2
 * (web × workers) picks the layouts.
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Layout {
  web: number;
  workers: number;
}

interface LayoutResult {
  layout: Layout;
  lessonRps: number;
  lessonP99: number;
  attemptsPerSecond: number;
  submitted: number;
  graded: number;
  answers: number;
}

function layouts(): Layout[] {
  return (process.env.BENCH_LAYOUTS ?? '1x1,2x2').split(',').map((text) => {
    const [web, workers] = text.split('x').map(Number);
    return { web, workers };
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit').catch(() => undefined);
}

async function benchLayout(layout: Layout, run: number): Promise<LayoutResult> {
  const database = await mariadbDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'exportready-bench-processes-'));
  const contentDir = join(dataDir, 'content');
  copyBenchCourses(contentDir);
  const queuePrefix = `er-bench-processes-${process.pid}-${run}`;
  const env = {
    DATA_DIR: dataDir,
    CONTENT_DIR: contentDir,
    NODE_ENV: 'production',
    SESSION_SECRET: 'bench-session-secret-0123456789-abcdefghij',
    LOG_LEVEL: 'error',
    QUEUE_PREFIX: queuePrefix,
    REDIS_URL,
    QUERY_COUNT_HEADER: 'false',
    ...database.env,
  };
  const port = await freePort();
  const children: ChildProcess[] = [];
  try {
    // The web side first: it migrates and imports content/ once, the workers then only attach.
    children.push(start('main.js', { ...env, ROLE: 'web', PORT: String(port), WEB_CONCURRENCY: String(layout.web) }));
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${url}/health`, 90_000);
    for (let i = 0; i < layout.workers; i++) children.push(start('main.js', { ...env, ROLE: 'worker', IMPORT_CONTENT_ON_START: 'false' }));

    const reader = await learner(url, 0);
    const lessonPath = `/courses/${COURSE}/modules/supplier-account`;
    await reader.page(lessonPath);
    const lesson = await load('lesson', `${url}${lessonPath}`, { cookie: reader.cookie });

    const learners = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => learner(url, 100 + i)));
    let submitted = 0;
    const began = Date.now();
    await Promise.all(
      learners.map(async (s) => {
        while (Date.now() - began < DURATION * 1000) if (await takeAttempt(s)) submitted += 1;
      }),
    );
    const seconds = (Date.now() - began) / 1000;
    const graded = await database.count(
      "SELECT COUNT(*) AS n FROM quiz_attempts a JOIN users u ON u.id = a.user_id WHERE u.email LIKE 'bench1__@example.pk' AND a.status = 'graded'",
    );
    const answers = await database.count(
      "SELECT COUNT(*) AS n FROM attempt_answers x JOIN quiz_attempts a ON a.id = x.attempt_id JOIN users u ON u.id = a.user_id WHERE u.email LIKE 'bench1__@example.pk' AND a.status = 'graded'",
    );
    return {
      layout,
      lessonRps: lesson.rps,
      lessonP99: lesson.p99,
      attemptsPerSecond: submitted / seconds,
      submitted,
      graded,
      answers,
    };
  } finally {
    for (const child of children.reverse()) await stop(child);
    await deleteQueueKeys(REDIS_URL, queuePrefix);
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`\n## Processes on MariaDB + Redis: ${DURATION}s per run, ${CONNECTIONS} connections, ${cpus().length} cores, Node ${process.version}`);
  const results: LayoutResult[] = [];
  for (const [i, layout] of layouts().entries()) results.push(await benchLayout(layout, i));
  const first = results[0];
  console.log('\n| web × workers | lesson req/s | lesson p99 ms | whole attempts/s | vs first layout (lesson, attempts) | nothing lost |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const r of results) {
    const lost = r.graded === r.submitted && r.answers === r.submitted * 20 ? 'yes' : `NO: ${r.graded}/${r.submitted} graded, ${r.answers} answers`;
    const ratios = `${(r.lessonRps / first.lessonRps).toFixed(2)}×, ${(r.attemptsPerSecond / first.attemptsPerSecond).toFixed(2)}×`;
    console.log(`| ${r.layout.web} × ${r.layout.workers} | ${r.lessonRps.toFixed(0)} | ${r.lessonP99} | ${r.attemptsPerSecond.toFixed(1)} | ${ratios} | ${lost} (${r.submitted} attempts) |`);
  }
  console.log('\nThe load generator, MariaDB, Redis and every process share these cores: more processes than cores cannot add throughput.');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
