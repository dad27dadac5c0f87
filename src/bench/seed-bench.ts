import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { DataSource, QueryRunner } from 'typeorm';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/app-config';
import { migrateDatabase } from '../main';
import { MILESTONES } from '../programmes/entities/export-outcome.entity';
import { BUSINESS_SIZES, EXPORT_STAGES, MARKETPLACES } from '../programmes/profile-fields';
import { newEnrolCode } from '../programmes/programmes.service';
import { ProgrammeStatsService } from '../programmes/stats/programme-stats.service';
import { daysBetween, weekOf } from '../programmes/stats/weeks';
import { hashPassword } from '../users/password-hasher';

/**
 * `npm run seed:bench -- --learners 200000 --enrolments 1000000`: fills an EMPTY database
 * (DATABASE_URL) with programmes, cohorts, learners and a realistic spread of progress, quiz
 * attempts, certificates and export outcomes, then builds the programme counters with the
 * app's own rebuild. Same seed, same data. Managers sign in as manager<N>@bench.example.pk.
 */

export const BENCH_PASSWORD = 'bench passphrase 2026';
const DAY = 86_400_000;
const MODULES_PER_COURSE = 6;
const PASS_MARK = 70;

export interface SeedOptions {
  learners: number;
  enrolments: number;
  programmes: number;
  cohorts: number;
  courses: number;
  seed: number;
  /** "Now" for the generated history (the seed is reproducible only with a fixed one). */
  now: Date;
  log?: (line: string) => void;
}

export interface SeedResult {
  programmeIds: number[];
  managers: { email: string; programmeId: number }[];
  counts: Record<string, number>;
}

/** A small, fast, seeded generator (mulberry32): the same seed gives the same data. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  const weighted = <T extends string>(weights: Record<T, number>): T => {
    const total = Object.values<number>(weights).reduce((a, b) => a + b, 0);
    let r = next() * total;
    for (const [key, weight] of Object.entries<number>(weights)) {
      r -= weight;
      if (r <= 0) return key as T;
    }
    return Object.keys(weights)[0] as T;
  };
  /** Days to finish a course: log-normal around three weeks. */
  const daysToFinish = () => Math.max(1, Math.round(Math.exp(Math.log(21) + 0.8 * Math.sqrt(-2 * Math.log(next() || 1e-9)) * Math.cos(2 * Math.PI * next()))));
  return { next, int, pick, weighted, daysToFinish };
}

const SECTOR_WEIGHTS = { textiles_apparel: 28, leather: 10, sports_goods: 8, surgical_instruments: 6, rice_food: 12, handicrafts: 12, furniture: 6, it_services: 12, other: 6 };
const PROVINCE_WEIGHTS = { punjab: 53, sindh: 23, kpk: 14, balochistan: 5, islamabad: 3, gilgit_baltistan: 1, ajk: 1 };
const GENDER_WEIGHTS = { female: 38, male: 55, transgender: 1, prefer_not_to_say: 4, none: 2 };
const CITIES: Record<string, string[]> = {
  punjab: ['Lahore', 'Faisalabad', 'Rawalpindi', 'Gujranwala', 'Multan', 'Sialkot', 'Bahawalpur', 'Sargodha', 'Gujrat', 'Kasur', 'Sahiwal', 'Wazirabad', 'Okara'],
  sindh: ['Karachi', 'Hyderabad', 'Sukkur', 'Larkana', 'Mirpur Khas'],
  kpk: ['Peshawar', 'Mardan', 'Abbottabad', 'Swat', 'Kohat'],
  balochistan: ['Quetta', 'Gwadar', 'Turbat'],
  islamabad: ['Islamabad'],
  gilgit_baltistan: ['Gilgit', 'Skardu'],
  ajk: ['Muzaffarabad', 'Mirpur'],
};
const FIRST = ['Ayesha', 'Fatima', 'Zainab', 'Sana', 'Hina', 'Maryam', 'Amna', 'Saima', 'Ali', 'Usman', 'Bilal', 'Hamza', 'Imran', 'Kamran', 'Asad', 'Faisal', 'Naila', 'Rabia', 'Hassan', 'Omar'];
const LAST = ['Khan', 'Malik', 'Butt', 'Chaudhry', 'Qureshi', 'Sheikh', 'Siddiqui', 'Baloch', 'Shah', 'Raza', 'Iqbal', 'Javed', 'Aslam', 'Mirza', 'Abbasi'];
const PROGRAMME_NAMES = [
  'National E-commerce Export Programme',
  'Women Exporters Accelerator',
  'Sialkot Cluster Digital Exports',
  'Youth Freelance to Export',
  'Rice and Food Exporters Readiness',
  'Handicrafts Online Market Access',
  'Leather Goods Export Academy',
  'IT Services Export Bootcamp',
];
const COURSE_TOPICS = [
  'Selling on Alibaba.com',
  'Getting paid safely',
  'Listings that sell',
  'Pricing and Incoterms',
  'Shipping and export documents',
  'Textile compliance',
  'Amazon Global Selling',
  'Etsy for craft makers',
  'Daraz and regional marketplaces',
  'Product photography on a phone',
  'Export costing',
  'Trade fairs and B2B leads',
  'Buyer communication',
  'Packaging for export',
  'Certifications and standards',
  'Digital marketing for exporters',
  'Customs and PSW',
  'Export finance and EXIM',
  'Brand registry and IP',
  'Handling returns and disputes',
];

function format(date: Date, sqlite: boolean): string {
  const iso = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${sqlite ? '.000' : ''}`;
}

/** Multi-row INSERTs, flushed parents first so foreign keys always find their rows. */
class Writer {
  private readonly buffers = new Map<string, { columns: string[]; rows: unknown[][] }>();
  readonly counts: Record<string, number> = {};

  constructor(
    private readonly runner: QueryRunner,
    private readonly order: string[],
    private readonly batch: number,
  ) {}

  add(table: string, columns: string[], row: unknown[]): void {
    const buffer = this.buffers.get(table) ?? { columns, rows: [] };
    buffer.rows.push(row);
    this.buffers.set(table, buffer);
    this.counts[table] = (this.counts[table] ?? 0) + 1;
  }

  async maybeFlush(): Promise<void> {
    if ([...this.buffers.values()].some((b) => b.rows.length >= this.batch)) await this.flush();
  }

  async flush(): Promise<void> {
    await this.runner.startTransaction();
    try {
      for (const table of this.order) {
        const buffer = this.buffers.get(table);
        if (!buffer?.rows.length) continue;
        const placeholders = `(${buffer.columns.map(() => '?').join(', ')})`;
        for (let i = 0; i < buffer.rows.length; i += this.batch) {
          const slice = buffer.rows.slice(i, i + this.batch);
          await this.runner.query(`INSERT INTO ${table} (${buffer.columns.join(', ')}) VALUES ${slice.map(() => placeholders).join(', ')}`, slice.flat());
        }
        buffer.rows = [];
      }
      await this.runner.commitTransaction();
    } catch (error) {
      await this.runner.rollbackTransaction();
      throw error;
    }
  }
}

interface CourseSeed {
  id: number;
  title: string;
  moduleIds: number[];
  finalQuizId: number;
  minutes: number;
}

interface CohortSeed {
  id: number;
  programmeId: number;
  start: Date;
  courses: CourseSeed[];
  weight: number;
}

const ORDER = [
  'users',
  'learner_profiles',
  'courses',
  'course_modules',
  'quizzes',
  'programmes',
  'programme_managers',
  'cohorts',
  'cohort_courses',
  'enrollments',
  'module_progress',
  'quiz_attempts',
  'certificates',
  'cohort_members',
  'cohort_enrolments',
  'export_outcomes',
];

async function nextId(runner: QueryRunner, table: string): Promise<number> {
  const [row] = await runner.query(`SELECT MAX(id) AS id FROM ${table}`);
  return Number(row?.id ?? 0) + 1;
}

/** Fills the database; the caller then rebuilds the programme counters. */
export async function seedBench(dataSource: DataSource, options: SeedOptions): Promise<SeedResult> {
  const log = options.log ?? (() => undefined);
  const sqlite = dataSource.options.type === 'better-sqlite3';
  const rand = random(options.seed);
  // Whole seconds everywhere: what is computed here equals what the database gives back.
  const now = new Date(Math.floor(options.now.getTime() / 1000) * 1000);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  // A bulk load checks nothing it just wrote itself; MariaDB skips the per-row checks on this connection.
  if (!sqlite) await runner.query('SET foreign_key_checks = 0, unique_checks = 0');
  const writer = new Writer(runner, ORDER, sqlite ? 500 : 2000);
  const ids = Object.fromEntries(await Promise.all(ORDER.filter((t) => !['learner_profiles'].includes(t)).map(async (t) => [t, await nextId(runner, t)] as const)));
  const take = (table: string) => ids[table]++;
  const when = (date: Date) => format(date, sqlite);
  const t0 = format(now, sqlite);

  // Courses: six lessons and a final assessment each.
  const courses: CourseSeed[] = [];
  for (let c = 0; c < options.courses; c++) {
    const id = take('courses');
    const title = `${COURSE_TOPICS[c % COURSE_TOPICS.length]}${c >= COURSE_TOPICS.length ? ` ${Math.floor(c / COURSE_TOPICS.length) + 1}` : ''}`;
    const minutes = rand.int(180, 600);
    writer.add('courses', ['id', 'slug', 'title', 'summary', 'language', 'level', 'estimated_minutes', 'outcomes', 'status', 'content_hash', 'created_at', 'updated_at'], [
      id, `bench-course-${String(c + 1).padStart(2, '0')}`, title, `A bench course about ${title.toLowerCase()}.`, 'en', 'beginner', minutes, '[]', 'published', null, t0, t0,
    ]);
    const moduleIds: number[] = [];
    for (let m = 1; m <= MODULES_PER_COURSE; m++) {
      const moduleId = take('course_modules');
      moduleIds.push(moduleId);
      writer.add('course_modules', ['id', 'course_id', 'slug', 'position', 'title', 'minutes', 'required', 'removed_at', 'body_markdown', 'body_html'], [
        moduleId, id, `lesson-${m}`, m, `Lesson ${m}`, 20, 1, null, `# Lesson ${m}`, `<h1>Lesson ${m}</h1>`,
      ]);
    }
    const finalQuizId = take('quizzes');
    writer.add('quizzes', ['id', 'course_id', 'module_id', 'slug', 'title', 'is_final', 'required', 'pass_mark', 'max_attempts', 'time_limit_seconds', 'draw_count', 'shuffle_questions', 'shuffle_options', 'grading', 'review', 'removed_at', 'created_at', 'updated_at'], [
      finalQuizId, id, null, 'final', `Final assessment: ${title}`, 1, 1, PASS_MARK, 0, 0, 0, 1, 1, 'highest', 'full', null, t0, t0,
    ]);
    courses.push({ id, title, moduleIds, finalQuizId, minutes });
  }

  // Programmes, their managers, cohorts spread over two years.
  const managerHash = await hashPassword(BENCH_PASSWORD);
  const programmeIds: number[] = [];
  const managers: SeedResult['managers'] = [];
  const shares = Array.from({ length: options.programmes }, (_, p) => 1 / (p + 1.5));
  const shareTotal = shares.reduce((a, b) => a + b, 0);
  for (let p = 0; p < options.programmes; p++) {
    const id = take('programmes');
    programmeIds.push(id);
    writer.add('programmes', ['id', 'name', 'description', 'required_fields', 'created_at', 'updated_at'], [id, PROGRAMME_NAMES[p % PROGRAMME_NAMES.length], null, p % 2 ? 'sector,province' : '', t0, t0]);
    const userId = take('users');
    const email = `manager${p + 1}@bench.example.pk`;
    writer.add('users', ['id', 'email', 'name', 'certificate_name', 'locale', 'password_hash', 'role', 'created_at', 'updated_at'], [userId, email, `Manager ${p + 1}`, null, 'en', managerHash, 'manager', t0, t0]);
    writer.add('programme_managers', ['id', 'programme_id', 'user_id', 'created_at'], [take('programme_managers'), id, userId, t0]);
    managers.push({ email, programmeId: id });
  }
  const codes = new Set<string>();
  const cohorts: CohortSeed[] = [];
  const meanCourses = Math.max(1, Math.min(options.courses, options.enrolments / options.learners - 0.3));
  for (let c = 0; c < options.cohorts; c++) {
    // Bigger programmes get more cohorts.
    let r = rand.next() * shareTotal;
    let p = 0;
    while (r > shares[p] && p < shares.length - 1) r -= shares[p++];
    const id = take('cohorts');
    const start = new Date(now.getTime() - rand.int(0, 730) * DAY);
    const count = Math.max(1, Math.min(options.courses, Math.round(meanCourses + (rand.next() * 4 - 2))));
    const chosen = [...courses].sort(() => rand.next() - 0.5).slice(0, count);
    let code = newEnrolCode();
    while (codes.has(code)) code = newEnrolCode();
    codes.add(code);
    const startsOn = start.toISOString().slice(0, 10);
    writer.add('cohorts', ['id', 'programme_id', 'name', 'starts_on', 'ends_on', 'enrol_code', 'created_at', 'updated_at'], [
      id, programmeIds[p], `${rand.pick(Object.values(CITIES).flat())} batch ${c + 1}`, startsOn, new Date(start.getTime() + 84 * DAY).toISOString().slice(0, 10), code, t0, t0,
    ]);
    chosen.forEach((course, i) => writer.add('cohort_courses', ['id', 'cohort_id', 'course_id', 'position'], [take('cohort_courses'), id, course.id, i + 1]));
    cohorts.push({ id, programmeId: programmeIds[p], start, courses: chosen, weight: 0.5 + rand.next() });
  }
  await writer.flush();
  log(`courses, programmes and ${cohorts.length} cohorts written`);

  // Who is in which cohort: one cohort each; then second programmes until the enrolments add up.
  const pickCohort = (() => {
    const cumulative: number[] = [];
    let total = 0;
    for (const cohort of cohorts) cumulative.push((total += cohort.weight));
    return () => {
      const r = rand.next() * total;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] < r) lo = mid + 1;
        else hi = mid;
      }
      return cohorts[lo];
    };
  })();
  const memberships: CohortSeed[][] = Array.from({ length: options.learners }, () => [pickCohort()]);
  let planned = memberships.reduce((sum, list) => sum + list[0].courses.length, 0);
  for (let guard = 0; planned < options.enrolments && guard < options.learners * 4; guard++) {
    const list = memberships[rand.int(0, options.learners - 1)];
    const extra = pickCohort();
    if (list.some((c) => c.programmeId === extra.programmeId)) continue;
    list.push(extra);
    planned += extra.courses.filter((course) => !list.slice(0, -1).some((c) => c.courses.includes(course))).length;
  }

  const userColumns = ['id', 'email', 'name', 'certificate_name', 'locale', 'password_hash', 'role', 'created_at', 'updated_at'];
  for (let n = 0; n < options.learners; n++) {
    const userId = take('users');
    const firstJoin = memberships[n].reduce((min, c) => (c.start < min ? c.start : min), now);
    const createdAt = when(new Date(Math.max(firstJoin.getTime() - rand.int(0, 20) * DAY, now.getTime() - 800 * DAY)));
    const name = `${rand.pick(FIRST)} ${rand.pick(LAST)}`;
    writer.add('users', userColumns, [userId, `learner${n + 1}@bench.example.pk`, name, null, rand.next() < 0.3 ? 'ur' : 'en', 'invited$bench', 'learner', createdAt, createdAt]);

    const profile = rand.next() < 0.9;
    const province = rand.weighted(PROVINCE_WEIGHTS);
    const dims = {
      sector: profile ? rand.weighted(SECTOR_WEIGHTS) : null,
      province: profile ? province : null,
      city: profile && rand.next() < 0.95 ? rand.pick(CITIES[province]) : null,
      gender: profile ? rand.weighted(GENDER_WEIGHTS) : null,
    };
    if (dims.gender === 'none') dims.gender = null;
    if (profile) {
      writer.add('learner_profiles', ['user_id', 'business_name', 'sector', 'city', 'province', 'gender', 'business_size', 'marketplaces', 'export_stage', 'updated_at'], [
        userId, `${rand.pick(LAST)} ${rand.pick(['Traders', 'Exports', 'Crafts', 'Industries', 'Enterprises'])}`, dims.sector, dims.city, dims.province, dims.gender,
        rand.pick(BUSINESS_SIZES), rand.next() < 0.7 ? [...new Set([rand.pick(MARKETPLACES), rand.pick(MARKETPLACES)])].join(',') : null, rand.pick(EXPORT_STAGES), createdAt,
      ]);
    }

    const enrolled = new Map<number, { id: number; completedAt: Date | null; lastActivityAt: Date; createdAt: Date; progress: number; lastModuleId: number | null; quizState: Record<string, 'a' | 'p'>; certified: boolean }>();
    let firstCompletion = null as Date | null;
    for (const cohort of memberships[n]) {
      const joinedAt = new Date(Math.min(now.getTime() - 3_600_000, cohort.start.getTime() + (rand.next() < 0.7 ? rand.int(0, 2) : rand.int(0, 42)) * DAY + rand.int(0, 86_399) * 1000));
      const age = daysBetween(joinedAt, now);
      const maturity = Math.min(1, Math.max(0.05, age / 100));
      const facts: { lastActivityAt: Date; completed: boolean }[] = [];
      for (const course of cohort.courses) {
        let e = enrolled.get(course.id);
        if (!e) {
          // Where this learner got to in this course, given how long the cohort has run.
          const r = rand.next();
          let modulesDone = 0;
          let completedAt: Date | null = null;
          const quizState: Record<string, 'a' | 'p'> = {};
          if (r < 0.42 * maturity) {
            const days = rand.daysToFinish();
            if (days < age) completedAt = new Date(joinedAt.getTime() + days * DAY + rand.int(0, 86_399) * 1000);
            modulesDone = MODULES_PER_COURSE;
          } else if (r < 0.42 * maturity + 0.15) modulesDone = rand.int(4, 6);
          else if (r < 0.42 * maturity + 0.42) modulesDone = rand.int(1, 3);
          const enrollmentId = take('enrollments');
          const lastActivityAt = completedAt ?? (modulesDone > 0 ? new Date(joinedAt.getTime() + rand.int(0, Math.max(0, age - 1)) * DAY + rand.int(0, 86_399) * 1000) : joinedAt);
          const attemptAt = new Date(Math.min(lastActivityAt.getTime(), now.getTime()));
          let attemptNumber = 0;
          const attempt = (score: number, at: Date) => {
            attemptNumber += 1;
            writer.add('quiz_attempts', ['id', 'quiz_id', 'user_id', 'number', 'status', 'drawn', 'started_at', 'deadline_at', 'closed_at', 'closed_by', 'score_permille', 'passed'], [
              take('quiz_attempts'), course.finalQuizId, userId, attemptNumber, 'graded', '[]', when(new Date(at.getTime() - 900_000)), null, when(at), 'learner', score, score >= PASS_MARK * 10 ? 1 : 0,
            ]);
          };
          if (completedAt) {
            if (rand.next() < 0.2) attempt(rand.int(300, 690), new Date(completedAt.getTime() - DAY));
            attempt(rand.int(700, 1000), completedAt);
            quizState[String(course.finalQuizId)] = 'p';
          } else if (modulesDone === MODULES_PER_COURSE && rand.next() < 0.5) {
            attempt(rand.int(300, 690), attemptAt);
            quizState[String(course.finalQuizId)] = 'a';
          }
          const steps = modulesDone + (completedAt ? 1 : 0);
          const progress = completedAt ? 100 : Math.floor((steps * 100) / (MODULES_PER_COURSE + 1));
          const lastModuleId = modulesDone > 0 ? course.moduleIds[modulesDone - 1] : null;
          writer.add('enrollments', ['id', 'user_id', 'course_id', 'status', 'progress_percent', 'last_module_id', 'last_activity_at', 'completed_at', 'created_at'], [
            enrollmentId, userId, course.id, completedAt ? 'completed' : 'active', progress, lastModuleId, when(lastActivityAt), completedAt ? when(completedAt) : null, when(joinedAt),
          ]);
          for (let m = 0; m < modulesDone; m++) {
            writer.add('module_progress', ['id', 'enrollment_id', 'module_id', 'completed_at'], [take('module_progress'), enrollmentId, course.moduleIds[m], when(new Date(joinedAt.getTime() + ((lastActivityAt.getTime() - joinedAt.getTime()) * (m + 1)) / modulesDone))]);
          }
          let certified = false;
          if (completedAt) {
            firstCompletion = firstCompletion && firstCompletion < completedAt ? firstCompletion : completedAt;
            const roll = rand.next();
            if (roll < 0.95) {
              const certificateId = take('certificates');
              const issued = roll < 0.92;
              certified = issued;
              writer.add('certificates', ['id', 'serial', 'enrollment_id', 'user_id', 'course_id', 'status', 'holder_name', 'course_title', 'study_minutes', 'completed_at', 'issued_at', 'pdf_path', 'credential', 'last_error', 'attempts', 'revoked_at', 'revoked_reason', 'replaced_by', 'notified_at', 'created_at', 'updated_at'], [
                // Not "pending": the outbox relay would queue those again and a worker would issue them mid-benchmark.
                certificateId, `BENCH-${certificateId}`, enrollmentId, userId, course.id, issued ? 'issued' : 'failed', name, course.title, course.minutes, when(completedAt),
                issued ? when(new Date(completedAt.getTime() + 60_000)) : null, null, null, issued ? null : 'bench: rendering failed', issued ? 1 : 5, null, null, null, null, when(completedAt), when(completedAt),
              ]);
            }
          }
          e = { id: enrollmentId, completedAt, lastActivityAt, createdAt: joinedAt, progress, lastModuleId, quizState, certified };
          enrolled.set(course.id, e);
        }
        // The cohort's row for this course, as ProgrammeStatsService.readState would compute it.
        const lastActivityAt = e.lastActivityAt > joinedAt ? e.lastActivityAt : joinedAt;
        writer.add('cohort_enrolments', ['id', 'programme_id', 'cohort_id', 'course_id', 'user_id', 'enrollment_id', 'enrolled_at', 'enrolled_week', 'progress_percent', 'started', 'halfway', 'completed_at', 'completed_week', 'days_to_complete', 'certified', 'last_activity_at', 'sector', 'province', 'gender', 'city', 'quiz_state'], [
          take('cohort_enrolments'), cohort.programmeId, cohort.id, course.id, userId, e.id, when(joinedAt), weekOf(joinedAt), e.progress,
          e.lastModuleId !== null || e.progress > 0 || e.completedAt !== null || Object.keys(e.quizState).length > 0 ? 1 : 0,
          e.progress >= 50 || e.completedAt !== null ? 1 : 0,
          e.completedAt ? when(e.completedAt) : null, e.completedAt ? weekOf(e.completedAt) : null, e.completedAt ? daysBetween(joinedAt, e.completedAt) : null,
          e.certified && e.completedAt ? 1 : 0, when(lastActivityAt), dims.sector, dims.province, dims.gender, dims.city, JSON.stringify(e.quizState),
        ]);
        facts.push({ lastActivityAt, completed: e.completedAt !== null });
      }
      const latest = facts.reduce((max, f) => (f.lastActivityAt > max ? f.lastActivityAt : max), joinedAt);
      writer.add('cohort_members', ['id', 'programme_id', 'cohort_id', 'user_id', 'joined_at', 'joined_via', 'last_activity_at', 'open_courses'], [
        take('cohort_members'), cohort.programmeId, cohort.id, userId, when(joinedAt), rand.next() < 0.6 ? 'csv' : 'code', when(latest), facts.filter((f) => !f.completed).length,
      ]);
    }

    // A third of those who finished a course report what came of it.
    if (firstCompletion && rand.next() < 0.35) {
      let at = firstCompletion.getTime();
      const chance = [1, 0.75, 0.5, 0.3, 0.2];
      for (const [i, milestone] of MILESTONES.entries()) {
        if (i > 0 && rand.next() > chance[i] / chance[i - 1]) break;
        at += rand.int(1, 30) * DAY;
        if (at > now.getTime()) break;
        const verified = rand.next() < 0.4;
        writer.add('export_outcomes', ['id', 'user_id', 'milestone', 'achieved_on', 'evidence_url', 'verified_at', 'verified_by', 'created_at', 'updated_at'], [
          take('export_outcomes'), userId, milestone, new Date(at + 5 * 3_600_000).toISOString().slice(0, 10), rand.next() < 0.6 ? `https://example.com/evidence/${userId}/${milestone}` : null,
          verified ? when(new Date(Math.min(now.getTime(), at + 3 * DAY))) : null, null, when(new Date(at)), when(new Date(at)),
        ]);
      }
    }
    await writer.maybeFlush();
    if ((n + 1) % 20_000 === 0) log(`${n + 1} learners, ${writer.counts.enrollments ?? 0} enrolments`);
  }
  await writer.flush();
  if (!sqlite) {
    await runner.query('SET foreign_key_checks = 1, unique_checks = 1');
    for (const table of ORDER) await runner.query(`ANALYZE TABLE ${table}`);
  }
  await runner.release();
  return { programmeIds, managers, counts: writer.counts };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      learners: { type: 'string', default: '200000' },
      enrolments: { type: 'string', default: '1000000' },
      programmes: { type: 'string', default: '6' },
      cohorts: { type: 'string', default: '500' },
      courses: { type: 'string', default: '20' },
      seed: { type: 'string', default: '2026' },
    },
  });
  const number = (name: keyof typeof values) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number, got "${values[name]}"`);
    return value;
  };
  const config = { ...loadConfig({ ...process.env, IMPORT_CONTENT_ON_START: 'false', ROLE: 'web', LOG_LEVEL: 'error' }), role: 'web' as const };
  await migrateDatabase(config);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const dataSource = app.get(DataSource);
    const [{ n }] = await dataSource.query('SELECT COUNT(*) AS n FROM users');
    if (Number(n) > 0) throw new Error('seed:bench fills an empty database: point DATABASE_URL at a new one (this one has users).');
    const started = Date.now();
    const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`);
    const result = await seedBench(dataSource, {
      learners: number('learners'),
      enrolments: number('enrolments'),
      programmes: number('programmes'),
      cohorts: number('cohorts'),
      courses: number('courses'),
      seed: number('seed'),
      now: new Date(),
      log,
    });
    log('rows written; building the programme counters');
    for (const programmeId of result.programmeIds) await app.get(ProgrammeStatsService).rebuildCounters(programmeId);
    log('done');
    console.log(JSON.stringify({ database: config.database.kind, rows: result.counts, managers: result.managers, password: BENCH_PASSWORD }, null, 2));
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
