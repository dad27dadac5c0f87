import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { createDataSource } from '../database/data-source';
import { runMigrationsUnderLock } from '../database/migration-lock';
import { QuizStatisticsService } from '../quizzes/quiz-statistics.service';
import { Quiz } from '../quizzes/entities/quiz.entity';

/**
 * Item statistics at volume: ATTEMPTS graded attempts of 20 questions drawn from a pool of 40
 * (2 million answer rows at 100k), on SQLite and — when MariaDB answers — on MariaDB.
 * Prints the time of the statistics computation, repeated, as p50/p95.
 */
const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS ?? 100_000);
const POOL = 40;
const DRAWN = 20;
const USERS = 10_000;
const REPEAT = 7;
const stamp = '2026-11-01 10:00:00';

async function batchInsert(db: DataSource, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const size = 1000;
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    const placeholders = chunk.map(() => `(${columns.map(() => '?').join(',')})`).join(',');
    await db.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${placeholders}`, chunk.flat());
  }
}

async function seed(db: DataSource): Promise<number> {
  const run = async (work: () => Promise<void>) => {
    const runner = db.createQueryRunner();
    await runner.startTransaction();
    try {
      await work();
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
  };
  await run(async () => {
    await db.query("INSERT INTO courses (slug, title, summary, language, level, estimated_minutes, outcomes, status, created_at, updated_at) VALUES ('bench', 'Bench', 'Bench', 'en', 'beginner', 60, '[]', 'published', ?, ?)", [stamp, stamp]);
  });
  const [{ id: courseId }] = await db.query("SELECT id FROM courses WHERE slug = 'bench'");
  await db.query(
    "INSERT INTO quizzes (course_id, slug, title, is_final, required, pass_mark, max_attempts, time_limit_seconds, draw_count, shuffle_questions, shuffle_options, grading, review, created_at, updated_at) VALUES (?, 'final', 'Final', 1, 1, 70, 0, 0, 20, 1, 1, 'highest', 'full', ?, ?)",
    [courseId, stamp, stamp],
  );
  const [{ id: quizId }] = await db.query('SELECT id FROM quizzes WHERE course_id = ?', [courseId]);
  await batchInsert(db, 'quiz_questions', ['quiz_id', 'name', 'position', 'type', 'definition'], Array.from({ length: POOL }, (_, i) => [quizId, `q${i + 1}`, i + 1, 'single', '{"type":"single","format":"moodle","text":"Q","options":[{"text":"a","weight":100},{"text":"b","weight":0}]}']));
  const questionIds: number[] = (await db.query('SELECT id FROM quiz_questions WHERE quiz_id = ? ORDER BY position', [quizId])).map((r: { id: number }) => Number(r.id));
  await batchInsert(db, 'users', ['email', 'name', 'locale', 'password_hash', 'role', 'created_at', 'updated_at'], Array.from({ length: USERS }, (_, i) => [`u${i}@bench.pk`, `U${i}`, 'en', 'x', 'learner', stamp, stamp]));
  const [{ first }] = await db.query('SELECT MIN(id) AS first FROM users');

  // Question difficulty varies so the statistics are not all alike.
  const ability = (attempt: number) => ((attempt * 7919) % 1000) / 1000;
  const difficulty = (q: number) => (q % 10) / 10;
  let nextAttemptId = 1;
  const perBatch = 5000;
  for (let start = 0; start < ATTEMPTS; start += perBatch) {
    const attempts: unknown[][] = [];
    const answers: unknown[][] = [];
    for (let n = start; n < Math.min(ATTEMPTS, start + perBatch); n++) {
      const attemptId = nextAttemptId++;
      const drawn = Array.from({ length: DRAWN }, (_, k) => (n + k * 3) % POOL);
      let total = 0;
      for (const q of drawn) {
        const score = ability(n) > difficulty(q) ? 1000 : 0;
        total += score;
        answers.push([attemptId, questionIds[q], 'correct', stamp, score]);
      }
      const scorePermille = Math.round(total / DRAWN);
      attempts.push([attemptId, quizId, Number(first) + (n % USERS), Math.floor(n / USERS) + 1, 'graded', '[]', stamp, stamp, scorePermille, scorePermille >= 700 ? 1 : 0]);
    }
    await run(async () => {
      await batchInsert(db, 'quiz_attempts', ['id', 'quiz_id', 'user_id', 'number', 'status', 'drawn', 'started_at', 'closed_at', 'score_permille', 'passed'], attempts);
      await batchInsert(db, 'attempt_answers', ['attempt_id', 'question_id', 'status', 'saved_at', 'score_permille'], answers);
    });
  }
  return Number(quizId);
}

async function measure(label: string, database: AppConfig['database']): Promise<void> {
  const db = createDataSource(database);
  await db.initialize();
  try {
    await runMigrationsUnderLock(db, database.sqlitePath);
    const seeding = Date.now();
    const quizId = await seed(db);
    const seeded = (Date.now() - seeding) / 1000;
    const stats = new QuizStatisticsService(db, 0);
    const quiz = (await db.getRepository(Quiz).findOneBy({ id: quizId })) as Quiz;
    const times: number[] = [];
    let result;
    for (let i = 0; i < REPEAT; i++) {
      const began = process.hrtime.bigint();
      result = await stats.forQuiz(quiz);
      times.push(Number(process.hrtime.bigint() - began) / 1e6);
    }
    times.sort((a, b) => a - b);
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(0);
    console.log(
      `${label}: ${result?.attempts} attempts, ${result!.attempts * DRAWN} answers (seeded in ${seeded.toFixed(0)} s) — statistics computed afresh: p50 ${p(0.5)} ms, p95 ${p(0.95)} ms over ${REPEAT} runs; pass rate ${(result!.passRate! * 100).toFixed(1)}%`,
    );
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'exportready-stats-'));
  try {
    await measure('SQLite ', { kind: 'sqlite', url: 'sqlite', sqlitePath: join(dir, 'stats.sqlite') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const server = new URL(process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/');
  const name = `er_bench_stats_${process.pid}`;
  let admin;
  try {
    admin = await createConnection({ host: server.hostname, port: Number(server.port || 3306), user: server.username || 'root', password: server.password });
  } catch {
    console.log('MariaDB: not reachable, skipped');
    return;
  }
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  try {
    await measure('MariaDB', { kind: 'mariadb', url: `mysql://${server.username || 'root'}@${server.hostname}:${server.port || 3306}/${name}` });
  } finally {
    await admin.query(`DROP DATABASE \`${name}\``);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
