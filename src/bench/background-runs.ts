import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { migrateDatabase, startWeb } from '../main';
import { deleteQueueKeys } from '../queues/redis-connection';
import { seedOpenEnrolments } from './seed-enrolments';

/**
 * Work moved to the background: request latency of a publish with N open enrolments and the
 * time the worker takes to refresh them (enrolments/s), then the same for a 5,000-row CSV apply
 * (rows/s). One process in role `all` (web and worker), SQLite in a temporary folder, or the
 * empty database named by DATABASE_URL (MariaDB).
 *
 *   node dist/bench/background-runs.js
 *   (BENCH_OPEN_ENROLMENTS=100000 BENCH_CSV_ROWS=5000 BACKGROUND_CHUNK_SIZE=500 DATABASE_URL=mysql://…)
 */
const OPEN_ENROLMENTS = Number(process.env.BENCH_OPEN_ENROLMENTS ?? 100_000);
const CSV_ROWS = Number(process.env.BENCH_CSV_ROWS ?? 5000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PASSWORD = 'a long enough passphrase';

type Agent = ReturnType<typeof request.agent>;

function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1];
}

async function submit(agent: Agent, formPage: string, action: string, fields: Record<string, string | string[]>) {
  const page = await agent.get(formPage);
  const response = await agent.post(action).type('form').send({ _csrf: csrfFrom(page.text), ...fields });
  if (response.status !== 303) throw new Error(`${action} answered ${response.status}: ${response.text.slice(0, 300)}`);
  return response;
}

async function account(server: Parameters<typeof request.agent>[0], db: DataSource, email: string, role: string): Promise<Agent> {
  const agent = request.agent(server);
  await submit(agent, '/register', '/register', { name: email.split('@')[0], email, password: PASSWORD, locale: 'en' });
  await db.query('UPDATE users SET role = ? WHERE email = ?', [role, email]);
  return agent;
}

async function addLesson(trainer: Agent, courseId: number, title: string): Promise<void> {
  const added = await submit(trainer, `/author/courses/${courseId}`, `/author/courses/${courseId}/lessons`, { title });
  const path = added.headers.location as string;
  const editor = await trainer.get(path);
  const revision = /name="revision" value="(\d+)"/.exec(editor.text)?.[1] ?? '0';
  const saved = await trainer
    .post(path)
    .type('form')
    .send({ _csrf: csrfFrom(editor.text), revision, action: 'save', title, minutes: '10', bodyMarkdown: `All about ${title}.`, required: 'on' });
  if (saved.status !== 303) throw new Error(`saving lesson ${title} answered ${saved.status}`);
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'exportready-bench-bg-'));
  const queuePrefix = `bench-bg-${process.pid}`;
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    SESSION_SECRET: 'bench-session-secret-that-is-long-enough-0123456789',
    QUEUE_PREFIX: queuePrefix,
    IMPORT_CONTENT_ON_START: 'false',
    ROLE: 'all',
  });
  await migrateDatabase(config);
  const app = await startWeb(config);
  const server = app.getHttpServer();
  const db = app.get(DataSource);
  try {
    console.log(`background runs on ${config.database.kind}: ${OPEN_ENROLMENTS} open enrolments, a ${CSV_ROWS}-row CSV, chunks of ${config.backgroundChunkSize}`);

    const trainer = await account(server, db, 'trainer@bench.example', 'trainer');
    const created = await submit(trainer, '/author/courses/new', '/author/courses', {
      title: 'Benchmark course',
      slug: 'benchmark-course',
      summary: 'A course for measuring background work.',
      language: 'en',
      level: 'beginner',
      hours: '1',
      outcomes: 'Measure things',
    });
    const courseId = Number(/\/author\/courses\/(\d+)$/.exec(created.headers.location as string)?.[1]);
    await addLesson(trainer, courseId, 'First lesson');
    await addLesson(trainer, courseId, 'Second lesson');
    await submit(trainer, `/author/courses/${courseId}`, `/author/courses/${courseId}/publish`, {});
    const [{ id: firstModule }] = await db.query('SELECT MIN(id) AS id FROM course_modules WHERE course_id = ?', [courseId]);

    const [, seedMs] = await timed(() => seedOpenEnrolments(db, courseId, OPEN_ENROLMENTS, { label: 'bench', completedModuleIds: [Number(firstModule)] }));
    console.log(`  seeded ${OPEN_ENROLMENTS} learners, enrolments and lesson completions in ${(seedMs / 1000).toFixed(1)} s`);

    await addLesson(trainer, courseId, 'Third lesson');
    const page = await trainer.get(`/author/courses/${courseId}`);
    const [published, publishMs] = await timed(() => trainer.post(`/author/courses/${courseId}/publish`).type('form').send({ _csrf: csrfFrom(page.text) }));
    if (published.status !== 303) throw new Error(`publish answered ${published.status}`);
    const refreshStarted = performance.now();
    await waitUntil('the refresh run', async () => {
      const [run] = await db.query('SELECT status FROM course_refresh_runs WHERE course_id = ? ORDER BY id DESC LIMIT 1', [courseId]);
      if (run.status === 'failed') throw new Error('the refresh run failed');
      return run.status === 'done';
    });
    const refreshMs = performance.now() - refreshStarted;
    const [{ n: refreshed }] = await db.query('SELECT COUNT(*) AS n FROM enrollments WHERE course_id = ? AND progress_percent = 33', [courseId]);
    console.log(
      `  publish: request ${publishMs.toFixed(0)} ms; refresh of ${OPEN_ENROLMENTS} enrolments ${(refreshMs / 1000).toFixed(1)} s in the background = ${Math.round((OPEN_ENROLMENTS * 1000) / refreshMs)} enrolments/s (${Number(refreshed)} at the new progress)`,
    );

    const manager = await account(server, db, 'manager@bench.example', 'manager');
    const programme = await submit(manager, '/manage', '/manage/programmes', { name: 'Benchmark programme', description: '', requiredFields: [] });
    const programmeId = Number(/\/manage\/programmes\/(\d+)\/settings/.exec(programme.headers.location as string)?.[1]);
    const cohort = await submit(manager, `/manage/programmes/${programmeId}/settings`, `/manage/programmes/${programmeId}/cohorts`, {
      name: 'Batch 1',
      startsOn: '2026-01-05',
      endsOn: '',
      courseIds: [String(courseId)],
    });
    const cohortId = Number(/\/manage\/cohorts\/(\d+)\/settings/.exec(cohort.headers.location as string)?.[1]);
    const csv = ['name,email', ...Array.from({ length: CSV_ROWS }, (_, i) => `CSV Learner ${i},csv${i}@bench.example`)].join('\r\n') + '\r\n';
    const form = await manager.get(`/manage/programmes/${programmeId}/import`);
    const [upload, checkMs] = await timed(() =>
      manager
        .post(`/manage/programmes/${programmeId}/import`)
        .field('_csrf', csrfFrom(form.text))
        .field('defaultCohortId', String(cohortId))
        .attach('file', Buffer.from(csv, 'utf8'), { filename: 'learners.csv', contentType: 'text/csv' }),
    );
    if (upload.status !== 303) throw new Error(`upload answered ${upload.status}`);
    const reportPath = upload.headers.location as string;
    const importId = Number(/imports\/(\d+)/.exec(reportPath)?.[1]);
    const report = await manager.get(reportPath);
    const [applied, applyMs] = await timed(() => manager.post(`${reportPath}/apply`).type('form').send({ _csrf: csrfFrom(report.text) }));
    if (applied.status !== 303) throw new Error(`apply answered ${applied.status}`);
    const applyStarted = performance.now();
    await waitUntil('the CSV apply', async () => {
      const [entry] = await db.query('SELECT status FROM enrolment_imports WHERE id = ?', [importId]);
      if (entry.status === 'failed') throw new Error('the CSV apply failed');
      return entry.status === 'applied';
    });
    const backgroundMs = performance.now() - applyStarted;
    const [{ n: members }] = await db.query('SELECT COUNT(*) AS n FROM cohort_members WHERE cohort_id = ?', [cohortId]);
    console.log(
      `  CSV ${CSV_ROWS} rows: dry run ${checkMs.toFixed(0)} ms; apply request ${applyMs.toFixed(0)} ms; applied in ${(backgroundMs / 1000).toFixed(1)} s in the background = ${Math.round((CSV_ROWS * 1000) / backgroundMs)} rows/s (${Number(members)} cohort members)`,
    );
  } finally {
    await app.close();
    await deleteQueueKeys(REDIS_URL, queuePrefix);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
