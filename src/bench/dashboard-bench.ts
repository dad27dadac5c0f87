import 'reflect-metadata';
import { ChildProcess, fork } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/app-config';
import { createDataSource } from '../database/data-source';
import { BENCH_PASSWORD } from './seed-bench';

/**
 * The /manage dashboards against a database filled by `npm run seed:bench`: the app runs in
 * its own process (production mode, web role), a manager signs in, and each page is requested
 * one after another so every timing is one request alone: p50 and p95 over the repeats.
 * DATABASE_URL names the seeded database.
 */

export interface Timing {
  name: string;
  path: string;
  requests: number;
  p50: number;
  p95: number;
  max: number;
  bytes: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The app entry beside this file: dist/main.js when built, src/main.ts when run through swc-register. */
function startApp(env: Record<string, string>): ChildProcess {
  const entry = require.resolve(join(__dirname, '..', 'main'));
  const execArgv = entry.endsWith('.ts') ? ['-r', join(__dirname, '..', '..', 'test', 'support', 'swc-register.js')] : [];
  return fork(entry, ['web'], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
}

async function waitFor(url: string, ms = 180_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${ms / 1000} s`);
}

async function signIn(base: string, email: string): Promise<string> {
  const page = await fetch(`${base}/login`, { redirect: 'manual' });
  const cookie = (page.headers.getSetCookie?.() ?? []).find((c) => c.startsWith('er.sid='))?.split(';')[0] ?? '';
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, email, password: BENCH_PASSWORD }),
  });
  const session = (login.headers.getSetCookie?.() ?? []).find((c) => c.startsWith('er.sid='))?.split(';')[0];
  if (login.status !== 303 || !session) throw new Error(`could not sign in as ${email} (${login.status})`);
  return session;
}

async function measure(base: string, cookie: string, name: string, path: string, requests: number, warmup: number): Promise<Timing> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < warmup + requests; i++) {
    const started = process.hrtime.bigint();
    const response = await fetch(base + path, { headers: { cookie, 'accept-encoding': 'gzip' } });
    const body = await response.arrayBuffer();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    if (i >= warmup) times.push(ms);
    bytes = body.byteLength;
  }
  times.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { name, path, requests, p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), max: round(times[times.length - 1]), bytes };
}

/** The largest programme, its manager, its largest cohort and its most-taken course. */
async function pickTargets(databaseUrl: string): Promise<{ programmeId: number; manager: string; cohortId: number; courseId: number; enrolments: number }> {
  const dataSource = createDataSource(loadConfig({ ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'error' }).database);
  await dataSource.initialize();
  try {
    const [programme] = await dataSource.query(
      "SELECT programme_id AS id, SUM(enrolled) AS n FROM programme_stats WHERE cohort_id = 0 AND course_id = 0 AND dimension = 'all' GROUP BY programme_id ORDER BY n DESC LIMIT 1",
    );
    if (!programme) throw new Error('no programme counters: run npm run seed:bench first');
    const programmeId = Number(programme.id);
    const [manager] = await dataSource.query('SELECT u.email FROM programme_managers m JOIN users u ON u.id = m.user_id WHERE m.programme_id = ? ORDER BY m.id LIMIT 1', [programmeId]);
    const [cohort] = await dataSource.query(
      "SELECT value AS id, SUM(enrolled) AS n FROM programme_stats WHERE programme_id = ? AND cohort_id = 0 AND course_id = 0 AND dimension = 'cohort' GROUP BY value ORDER BY n DESC LIMIT 1",
      [programmeId],
    );
    const [course] = await dataSource.query(
      "SELECT value AS id, SUM(enrolled) AS n FROM programme_stats WHERE programme_id = ? AND cohort_id = 0 AND course_id = 0 AND dimension = 'course' GROUP BY value ORDER BY n DESC LIMIT 1",
      [programmeId],
    );
    return { programmeId, manager: manager.email, cohortId: Number(cohort.id), courseId: Number(course.id), enrolments: Number(programme.n) };
  } finally {
    await dataSource.destroy();
  }
}

export interface DashboardBenchOptions {
  /** A database filled by seed:bench. */
  databaseUrl: string;
  requests?: number;
  warmup?: number;
}

export async function runDashboardBench({ databaseUrl, requests = 50, warmup = 5 }: DashboardBenchOptions): Promise<Timing[]> {
  const targets = await pickTargets(databaseUrl);
  const port = await freePort();
  const app = startApp({
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    NODE_ENV: 'production',
    ROLE: 'web',
    IMPORT_CONTENT_ON_START: 'false',
    LOG_LEVEL: 'error',
    SESSION_SECRET: process.env.SESSION_SECRET ?? 'dashboard-bench-session-secret-0123456789',
    BASE_URL: `http://127.0.0.1:${port}`,
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${base}/health`);
    const cookie = await signIn(base, targets.manager);
    const p = `/manage/programmes/${targets.programmeId}`;
    const pages: [string, string][] = [
      [`programme dashboard, all dates (${targets.enrolments.toLocaleString('en')} enrolments)`, p],
      ['programme dashboard, last 13 weeks', `${p}?range=13w`],
      ['programme dashboard, custom dates', `${p}?from=2025-06-02&to=2025-12-28`],
      ['programme CSV: weekly table', `${p}/export/weekly`],
      ['programme CSV: by city', `${p}/export/city`],
      ['overview /manage', '/manage'],
      ['largest cohort dashboard', `/manage/cohorts/${targets.cohortId}`],
      ['most-taken course dashboard', `${p}/courses/${targets.courseId}`],
    ];
    const timings: Timing[] = [];
    for (const [name, path] of pages) timings.push(await measure(base, cookie, name, path, requests, warmup));
    return timings;
  } finally {
    app.kill();
  }
}

export function printDashboardTimings(timings: Timing[], databaseKind: string, requests: number, warmup: number): void {
  console.log(`\n/manage dashboards on ${databaseKind}, ${requests} sequential requests each after ${warmup} warm-up, Node ${process.version}`);
  console.log('| page | p50 ms | p95 ms | max ms | bytes |');
  console.log('|---|---:|---:|---:|---:|');
  for (const t of timings) console.log(`| ${t.name} | ${t.p50} | ${t.p95} | ${t.max} | ${t.bytes.toLocaleString('en')} |`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '50' }, warmup: { type: 'string', default: '5' } } });
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'error' });
  const [requests, warmup] = [Number(values.requests), Number(values.warmup)];
  const timings = await runDashboardBench({ databaseUrl: config.database.url, requests, warmup });
  printDashboardTimings(timings, config.database.kind, requests, warmup);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
