import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { Certificate } from '../../src/certificates/certificate.entity';
import { CoursesService } from '../../src/courses/courses.service';
import { TransactionRunner } from '../../src/database/transaction-runner';
import { EnrollmentsService } from '../../src/enrollments/enrollments.service';
import { User } from '../../src/users/user.entity';
import { UsersService } from '../../src/users/users.service';
import type { TestApp } from './test-app';

const ROOT = join(__dirname, '..', '..');

/** Polls until check() returns something truthy; fails with what it last saw. */
export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function certificatesOf(t: TestApp): Promise<Certificate[]> {
  return t.app.get(DataSource).getRepository(Certificate).find({ order: { id: 'ASC' } });
}

export function certificatePdfFiles(t: TestApp): string[] {
  try {
    return readdirSync(join(t.config.dataDir, 'files', 'certificates')).sort();
  } catch {
    return [];
  }
}

/** A port nobody listens on right now (the OS picks it), for a server started just after. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * A redis-server of the test's own, on a free port, that the test may stop and start again.
 * Never the shared one on 6379: other suites and CI use it.
 */
export class OwnRedis {
  private process: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitFor(`redis-server on ${this.port}`, async () => {
      try {
        return execFileSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('PONG');
      } catch {
        return false;
      }
    });
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
}

/**
 * The app in one of its roles as a separate process (`main.ts <role>`, compiled on the fly),
 * sharing the test app's database and data dir, so it can be killed for real.
 */
export class RoleProcess {
  readonly output: string[] = [];

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
  }

  static start(t: TestApp, role: 'worker' | 'web' | 'all', env: Record<string, string> = {}): RoleProcess {
    const child = spawn(process.execPath, ['-r', join(ROOT, 'test/support/swc-register.js'), join(ROOT, 'src/main.ts'), role], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'log',
        DATA_DIR: t.config.dataDir,
        DATABASE_URL: t.db.url,
        REDIS_URL: t.config.redisUrl,
        QUEUE_PREFIX: t.config.queuePrefix,
        SESSION_SECRET: t.config.sessionSecret,
        BASE_URL: t.config.baseUrl,
        IMPORT_CONTENT_ON_START: 'false',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new RoleProcess(child);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get log(): string {
    return this.output.join('');
  }

  /** Waits for a line in the process's log (e.g. its start-up line); fails at once if it exits. */
  async waitForLog(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${pattern} in the process log`,
      async () => {
        if (pattern.test(this.log)) return true;
        if (!this.alive) throw new Error(`the process exited:\n${this.log}`);
        return false;
      },
      timeoutMs,
    );
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.alive) return;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    await exited;
  }
}

/**
 * Completes `count` enrolments through the real services, the way a learner's last lesson does:
 * each completion writes its pending certificate and outbox row in the same transaction. Uses a
 * one-lesson course without quizzes so only the certificate path is under test.
 */
export async function completeEnrolments(t: TestApp, count: number, label: string): Promise<number> {
  const transactions = t.app.get(TransactionRunner);
  const courses = t.app.get(CoursesService);
  const slug = `certificate-drill-${label}`;
  await transactions.run((manager) =>
    courses.saveCourseDefinition(
      manager,
      {
        slug,
        title: `Certificate drill ${label}`,
        summary: 'A one-lesson course for certificate tests.',
        language: 'en',
        level: 'beginner',
        estimatedMinutes: 90,
        outcomes: ['Earn a certificate'],
        modules: [{ slug: 'only-lesson', title: 'The only lesson', minutes: 90, required: true, bodyMarkdown: '# Lesson' }],
      },
      null,
    ),
  );
  const { course, modules } = await courses.getPublishedCourse(slug);
  // These learners never sign in: inserted in one go instead of hashing a password for each.
  const now = new Date();
  await transactions.run((manager) =>
    manager.getRepository(User).insert(
      Array.from({ length: count }, (_, i) => ({
        email: `${label}-${i}@example.pk`,
        name: `Learner ${label} ${i}`,
        certificateName: null,
        locale: 'en' as const,
        passwordHash: 'not-a-password',
        role: 'learner' as const,
        createdAt: now,
        updatedAt: now,
      })),
    ),
  );
  const users = t.app.get(UsersService);
  const enrollments = t.app.get(EnrollmentsService);
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const user = await users.findByEmail(`${label}-${i}@example.pk`);
      if (!user) throw new Error(`learner ${i} was not created`);
      const enrollment = await enrollments.enrol(user.id, course.id);
      const { courseCompletedNow } = await enrollments.completeModule(enrollment, modules[0]);
      if (!courseCompletedNow) throw new Error(`enrolment ${enrollment.id} did not complete`);
    }),
  );
  return course.id;
}
