import 'reflect-metadata';
import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource, Like } from 'typeorm';
import { AppModule } from '../app.module';
import { Certificate } from '../certificates/certificate.entity';
import { CERTIFICATES_QUEUE, issueCertificateJobId } from '../certificates/certificates.queue';
import { AppConfig, loadConfig } from '../config/app-config';
import { CoursesService } from '../courses/courses.service';
import { TransactionRunner } from '../database/transaction-runner';
import { Enrollment } from '../enrollments/enrollment.entity';
import { EnrollmentsService } from '../enrollments/enrollments.service';
import { migrateDatabase } from '../main';
import { deleteQueueKeys } from '../queues/redis-connection';
import { User } from '../users/user.entity';

/**
 * Certificates end to end: COUNT enrolments complete (each writing its pending certificate and
 * outbox row), the relay queues them, the worker signs, renders and stores them. Prints
 * certificates per second and the p50/p95 time from a completion's commit to its certificate
 * being issued (BullMQ's finishedOn), for one process doing everything (`all`) and for the web
 * role with separate worker processes (`split`), on SQLite and, when it answers, MariaDB.
 *
 *   node dist/bench/certificates.js
 *   (BENCH_CERTIFICATES=500 BENCH_CERTIFICATE_MODES=all,split BENCH_CERTIFICATE_WORKERS=1
 *    BENCH_COMPLETIONS_IN_FLIGHT=16 BENCH_COMPLETIONS_PER_SECOND=0, i.e. a burst; set a rate to see latency without a backlog)
 */
const COUNT = Number(process.env.BENCH_CERTIFICATES ?? 500);
const WORKERS = Number(process.env.BENCH_CERTIFICATE_WORKERS ?? 1);
const IN_FLIGHT = Number(process.env.BENCH_COMPLETIONS_IN_FLIGHT ?? 16);
/** 0: completions as fast as they go (a burst: throughput, and latency including the backlog); N: paced at N/s. */
const PACE = Number(process.env.BENCH_COMPLETIONS_PER_SECOND ?? 0);
const MODES = (process.env.BENCH_CERTIFICATE_MODES ?? 'all,split').split(',') as ('all' | 'split')[];
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Result {
  database: string;
  mode: string;
  completionsPerSecond: number;
  certificatesPerSecond: number;
  p50: number;
  p95: number;
  max: number;
  /** Medians of the stages: commit → queued (relay), queued → picked up (wait), picked up → issued (work). */
  stages: { relay: number; wait: number; work: number };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `node dist/main.js worker`, or the TypeScript source when the bench itself runs from source. */
function startWorker(config: AppConfig, databaseUrl: string): ChildProcess {
  const fromSource = extname(__filename) === '.ts';
  const main = join(__dirname, '..', fromSource ? 'main.ts' : 'main.js');
  const args = fromSource ? ['-r', join(__dirname, '..', '..', 'test', 'support', 'swc-register.js'), main, 'worker'] : [main, 'worker'];
  return spawn(process.execPath, args, {
    env: { ...process.env, NODE_ENV: 'production', SESSION_SECRET: config.sessionSecret, LOG_LEVEL: 'warn', DATA_DIR: config.dataDir, DATABASE_URL: databaseUrl, REDIS_URL, QUEUE_PREFIX: config.queuePrefix, IMPORT_CONTENT_ON_START: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function seedLearners(app: INestApplicationContext, label: string): Promise<{ enrollmentIds: number[]; complete: (i: number) => Promise<void> }> {
  const transactions = app.get(TransactionRunner);
  const courses = app.get(CoursesService);
  const enrollments = app.get(EnrollmentsService);
  const slug = `bench-${label}`;
  await transactions.run((manager) =>
    courses.saveCourseDefinition(
      manager,
      { slug, title: 'Bench course', summary: 'One lesson.', language: 'en', level: 'beginner', estimatedMinutes: 60, outcomes: ['Finish'], modules: [{ slug: 'one', title: 'One', minutes: 60, required: true, bodyMarkdown: '# One' }] },
      null,
    ),
  );
  const { course, modules } = await courses.getPublishedCourse(slug);
  const now = new Date();
  for (let i = 0; i < COUNT; i += 500) {
    const batch = Array.from({ length: Math.min(500, COUNT - i) }, (_, k) => ({ email: `${label}-${i + k}@bench.pk`, name: `Learner ${i + k}`, certificateName: null, locale: 'en' as const, passwordHash: 'x', role: 'learner' as const, createdAt: now, updatedAt: now }));
    await transactions.run((manager) => manager.getRepository(User).insert(batch));
  }
  const users = await app.get(DataSource).getRepository(User).find({ where: { email: Like(`${label}-%@bench.pk`) }, select: { id: true }, order: { id: 'ASC' } });
  const enrolled: Enrollment[] = [];
  for (const user of users) enrolled.push(await enrollments.enrol(user.id, course.id));
  return {
    enrollmentIds: enrolled.map((e) => e.id),
    complete: async (i: number) => {
      await enrollments.completeModule(enrolled[i], modules[0]);
    },
  };
}

async function measure(database: string, databaseUrl: string, mode: 'all' | 'split'): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), 'exportready-bench-certificates-'));
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    SESSION_SECRET: 'bench-session-secret-that-is-long-enough-0123456789',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: `er-bench-${process.pid}-${mode}`,
    IMPORT_CONTENT_ON_START: 'false',
    ROLE: mode === 'all' ? 'all' : 'web',
  });
  await migrateDatabase(config);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  const workers = mode === 'split' ? Array.from({ length: WORKERS }, () => startWorker(config, databaseUrl)) : [];
  try {
    const queue = app.get<Queue>(getQueueToken(CERTIFICATES_QUEUE));
    const expectedWorkers = mode === 'split' ? WORKERS : 1;
    while ((await queue.getWorkersCount()) < expectedWorkers) await new Promise((r) => setTimeout(r, 100));
    const { enrollmentIds, complete } = await seedLearners(app, `${mode}-${database.trim().toLowerCase()}`);

    const committedAt = new Map<number, number>();
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < COUNT) {
          const i = next++;
          const due = started + (PACE ? (i * 1000) / PACE : 0);
          if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
          await complete(i);
          committedAt.set(enrollmentIds[i], Date.now());
        }
      }),
    );
    const completionsDone = Date.now();
    const certificates = app.get(DataSource).getRepository(Certificate);
    while ((await certificates.countBy({ status: 'issued' })) < COUNT) await new Promise((r) => setTimeout(r, 100));

    const latencies: number[] = [];
    const relay: number[] = [];
    const wait: number[] = [];
    const work: number[] = [];
    let lastFinished = 0;
    for (const certificate of await certificates.find({ select: { id: true, serial: true, enrollmentId: true } })) {
      const job = await queue.getJob(issueCertificateJobId(certificate));
      if (!job?.finishedOn || !job.processedOn) throw new Error(`no finished job for certificate ${certificate.id}`);
      const committed = committedAt.get(certificate.enrollmentId as number) as number;
      lastFinished = Math.max(lastFinished, job.finishedOn);
      latencies.push(job.finishedOn - committed);
      relay.push(job.timestamp - committed);
      wait.push(job.processedOn - job.timestamp);
      work.push(job.finishedOn - job.processedOn);
    }
    const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
    latencies.sort((a, b) => a - b);
    return {
      database,
      mode: mode === 'all' ? 'all (1 process)' : `web + ${WORKERS} worker${WORKERS > 1 ? 's' : ''}`,
      completionsPerSecond: COUNT / ((completionsDone - started) / 1000),
      certificatesPerSecond: COUNT / ((lastFinished - started) / 1000),
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      max: latencies[latencies.length - 1],
      stages: { relay: median(relay), wait: median(wait), work: median(work) },
    };
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    await app.close();
    await deleteQueueKeys(REDIS_URL, config.queuePrefix);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function mariadbDatabase(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const server = new URL(process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/');
  const connect = () => createConnection({ host: server.hostname, port: Number(server.port || 3306), user: server.username || 'root', password: decodeURIComponent(server.password) });
  let admin;
  try {
    admin = await connect();
  } catch {
    return null;
  }
  const name = `er_bench_certificates_${process.pid}`;
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  return {
    url: `mysql://${server.username || 'root'}${server.password ? `:${server.password}` : ''}@${server.hostname}:${server.port || 3306}/${name}`,
    drop: async () => {
      const conn = await connect();
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

async function main(): Promise<void> {
  console.log(
    `Certificates end to end: ${COUNT} completions (${PACE ? `${PACE}/s` : 'a burst'}, ${IN_FLIGHT} in flight), ${WORKERS} worker process(es) in split mode, WORKER_CONCURRENCY=${process.env.WORKER_CONCURRENCY ?? 4}`,
  );
  const results: Result[] = [];
  for (const mode of MODES) {
    const dir = mkdtempSync(join(tmpdir(), 'exportready-bench-sqlite-'));
    try {
      results.push(await measure('SQLite ', `sqlite:${join(dir, 'bench.sqlite')}`, mode));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const mariadb = await mariadbDatabase();
    if (!mariadb) continue;
    try {
      results.push(await measure('MariaDB', mariadb.url, mode));
    } finally {
      await mariadb.drop();
    }
  }
  console.log('completion → issued, in ms; the last three columns are medians of its stages (relay: commit → queued, wait: in the queue, work: worker)');
  console.log('database  mode                 completions/s  certificates/s     p50     p95     max   relay    wait    work');
  for (const r of results) {
    const ms = (value: number) => String(value).padStart(6);
    console.log(
      `${r.database}   ${r.mode.padEnd(20)} ${r.completionsPerSecond.toFixed(0).padStart(13)}  ${r.certificatesPerSecond.toFixed(0).padStart(14)}  ${ms(r.p50)}  ${ms(r.p95)}  ${ms(r.max)}  ${ms(r.stages.relay)}  ${ms(r.stages.wait)}  ${ms(r.stages.work)}`,
    );
  }
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
