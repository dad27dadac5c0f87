import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CourseExportService } from './authoring/course-export.service';
import { IssuerKeysService } from './certificates/credential/issuer-keys.service';
import { CoursesService } from './courses/courses.service';
import { QuizzesService } from './quizzes/quizzes.service';
import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppModule } from './app.module';
import { CacheModule } from './cache/cache.module';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { ContentModule } from './content/content.module';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './database/data-source';
import { TransactionRunner } from './database/transaction-runner';
import { DatabaseModule } from './database/database.module';
import { formatProblem, ContentService } from './content/content.service';
import { migrateDatabase } from './main';
import { FormInvalidError } from './common/domain-error';
import { ROLES, Role } from './users/user.entity';
import { UsersService } from './users/users.service';

const USAGE = `Usage: node dist/cli.js <command>
  migrate                         apply pending database migrations
  content:check                   validate content/ and print every problem with file and line
  content:import                  import content/ into the database (idempotent)
  content:export <course-slug> [--draft] [--out <content-root>]
                                  write a course as a content/ folder (the live course, or its --draft)
  quiz:export <course-slug> <quiz-slug> [file]
                                  write a quiz's question pool as GIFT (to stdout without a file)
  quiz:import <course-slug> <quiz-slug> <file> [--dry-run]
                                  replace a quiz's pool from a GIFT file, all or nothing
  user:create --email E --role R [--name N] [--password P]
                                  create an account (a random password is printed when none is given)
  issuer:rotate-key               a new credential signing key signs from now on; the old ones stay
                                  published (/.well-known/did.json, jwks.json) and keep verifying`;

/**
 * Only what checking content/ needs, on an empty in-memory database that nothing reads: the
 * whole AppModule would also start the outbox relay, timers and queue connections, which then
 * query tables this database never had ("no such table: certificate_outbox").
 */
@Module({})
class ContentCheckModule {
  static forRoot(config: AppConfig): DynamicModule {
    const database: AppConfig['database'] = { kind: 'sqlite', url: 'sqlite::memory:', sqlitePath: ':memory:' };
    return {
      module: ContentCheckModule,
      // Role worker: the courses service's caches stay off and open no Redis connection.
      imports: [ConfigModule.forRoot({ ...config, database, role: 'worker' }), TypeOrmModule.forRoot(dataSourceOptions(database)), DatabaseModule, CacheModule, ContentModule],
    };
  }
}

async function withApp<T>(work: (app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  await migrateDatabase(config);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'migrate': {
      const applied = await migrateDatabase(loadConfig());
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Nothing to migrate.');
      return 0;
    }
    case 'content:check': {
      const config = loadConfig({ ...process.env, IMPORT_CONTENT_ON_START: 'false' });
      const app = await NestFactory.createApplicationContext(ContentCheckModule.forRoot(config), { logger: ['error'] });
      const results = app.get(ContentService).checkAll(config.contentDir);
      let failed = 0;
      const totals = { courses: 0, lessons: 0, words: 0, items: 0, withFeedback: 0 };
      for (const result of results) {
        if (result.ok) {
          const stats = app.get(ContentService).statistics(result.course);
          totals.courses += 1;
          totals.lessons += stats.lessons;
          totals.words += stats.words;
          totals.items += stats.quizItems;
          totals.withFeedback += stats.itemsWithFeedback;
          console.log(
            `ok     ${result.course.slug}: ${stats.lessons} lessons, ${stats.words} words, ${result.course.quizzes.length} quizzes, ` +
              `${stats.quizItems} items (${stats.itemsWithFeedback} with feedback, final pool ${stats.finalPool})`,
          );
        } else {
          failed += 1;
          console.log(`FAILED ${result.slug}`);
          for (const problem of result.problems) console.log(`  ${formatProblem(problem)}`);
        }
      }
      console.log(`${results.length - failed} of ${results.length} courses valid`);
      console.log(
        `total: ${totals.courses} courses, ${totals.lessons} lessons, ${totals.words} words, ${totals.items} quiz items, ${totals.withFeedback} with feedback`,
      );
      await app.close();
      return failed ? 1 : 0;
    }
    case 'content:import':
      return withApp(async (app) => {
        const report = await app.get(ContentService).importAll();
        console.log(`imported: ${report.imported.join(', ') || '-'}\nunchanged: ${report.unchanged.join(', ') || '-'}`);
        for (const failure of report.failed) {
          console.log(`not imported: ${failure.slug}`);
          for (const problem of failure.problems) console.log(`  ${formatProblem(problem)}`);
        }
        return report.failed.length ? 1 : 0;
      });
    case 'content:export': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { draft: { type: 'boolean' }, out: { type: 'string' } } });
      if (positionals.length !== 1) {
        console.error(USAGE);
        return 64;
      }
      return withApp(async (app) => {
        const source = values.draft ? 'draft' : 'live';
        const written = await app.get(CourseExportService).writeFolder(positionals[0], { source, root: values.out ? resolve(values.out) : undefined });
        if (!written) {
          console.error(`No course "${positionals[0]}".`);
          return 66;
        }
        console.log(`Wrote the ${source} version of ${positionals[0]} to ${written.folder}`);
        for (const problem of written.problems) console.error(`  ${formatProblem(problem)}`);
        return written.problems.length ? 65 : 0;
      });
    }
    case 'quiz:export':
    case 'quiz:import': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { 'dry-run': { type: 'boolean' } } });
      const [courseSlug, quizSlug, file] = positionals;
      if (!courseSlug || !quizSlug || (command === 'quiz:import' && !file)) {
        console.error(USAGE);
        return 64;
      }
      return withApp(async (app) => {
        const course = await app.get(CoursesService).findCourseBySlug(courseSlug);
        if (!course) {
          console.error(`No course "${courseSlug}".`);
          return 66;
        }
        const quiz = await app.get(QuizzesService).getQuiz(course.id, quizSlug).catch(() => null);
        if (!quiz) {
          console.error(`No quiz "${quizSlug}" in ${courseSlug}.`);
          return 66;
        }
        if (command === 'quiz:export') {
          const gift = await app.get(QuizzesService).exportGift(quiz.id);
          if (file) writeFileSync(file, gift);
          else process.stdout.write(gift);
          return 0;
        }
        const { questions, errors } = await app.get(QuizzesService).importGift(quiz.id, readFileSync(file, 'utf8'), !!values['dry-run']);
        for (const error of errors) console.error(`${file}:${error.line}: ${error.message}`);
        if (errors.length) {
          console.error(`Nothing imported: ${errors.length} problem(s).`);
          return 65;
        }
        const byType = questions.reduce<Record<string, number>>((acc, q) => ({ ...acc, [q.type]: (acc[q.type] ?? 0) + 1 }), {});
        const summary = Object.entries(byType).map(([type, n]) => `${n} ${type}`).join(', ');
        console.log(`${values['dry-run'] ? 'Would import' : 'Imported'} ${questions.length} questions (${summary}) into ${courseSlug}/${quizSlug}.`);
        return 0;
      });
    }
    case 'user:create': {
      const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } } });
      if (!values.email || !values.role || !(ROLES as readonly string[]).includes(values.role)) {
        console.error(`user:create needs --email and --role (${ROLES.join(', ')})`);
        return 64;
      }
      const password = values.password ?? randomBytes(12).toString('base64url');
      return withApp(async (app) => {
        try {
          const user = await app.get(UsersService).register(
            { email: values.email as string, name: values.name ?? (values.email as string).split('@')[0], password, locale: 'en' },
            values.role as Role,
          );
          console.log(`Created ${user.role} ${user.email} (id ${user.id}).`);
          if (!values.password) console.log(`Password: ${password}  (change it on /account after signing in)`);
          return 0;
        } catch (error) {
          if (error instanceof FormInvalidError) {
            for (const [field, problem] of Object.entries(error.fields)) console.error(`${field}: ${problem}`);
            return 65;
          }
          throw error;
        }
      });
    }
    case 'issuer:rotate-key': {
      // Only the database: a rotation needs no queue, cache or scheduler (the whole app would start them).
      const config = loadConfig();
      await migrateDatabase(config);
      const dataSource = await new DataSource(dataSourceOptions(config.database)).initialize();
      try {
        const keys = new IssuerKeysService(dataSource, new TransactionRunner(dataSource), config);
        await keys.onModuleInit();
        const { kid, retired } = await keys.rotate();
        console.log(`New signing key: ${keys.verificationMethodId(kid)}`);
        console.log(`Retired (still published, still verifying): ${retired.map((id) => keys.verificationMethodId(id)).join(', ') || '-'}`);
        console.log('Running web and worker processes pick the new key up within 30 seconds.');
        return 0;
      } finally {
        await dataSource.destroy();
      }
    }
    default:
      console.error(USAGE);
      return 64;
  }
}

run(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
