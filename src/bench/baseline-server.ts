import 'reflect-metadata';
import { join } from 'node:path';
import { Controller, Get, Module, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import compression from 'compression';
import type { Response } from 'express';
import { configureViews, ROOT_DIR } from '../app.setup';
import { listCourseFolders, loadCourseFolder } from '../content/content-loader';
import { renderMarkdown } from '../courses/markdown';
import { I18nService } from '../i18n/i18n.service';

/**
 * The benchmark's baseline: the same templates, layout, helpers and compression as the app,
 * rendered from data read once at start-up — no database, no session, no guards.
 */
const courses = listCourseFolders(join(ROOT_DIR, 'content'))
  .map((folder) => loadCourseFolder(join(ROOT_DIR, 'content'), folder))
  .flatMap((result) => (result.ok ? [result.course] : []));
const course = courses.find((c) => c.slug === 'alibaba-first-30-days') ?? courses[0];
const lesson = course.definition.modules[1] ?? course.definition.modules[0];
const lessonHtml = renderMarkdown(lesson.bodyMarkdown);
const cards = courses.map((c) => ({
  slug: c.slug,
  title: c.definition.title,
  summary: c.definition.summary,
  level: c.definition.level,
  language: c.definition.language,
  hours: Math.round((c.definition.estimatedMinutes / 60) * 10) / 10,
  moduleCount: c.definition.modules.length,
}));
const layoutLocals = { locale: 'en', dir: 'ltr', otherLocale: 'ur', currentPath: '/', currentUser: null };
const signedIn = { ...layoutLocals, currentUser: { id: 1, name: 'Learner', role: 'learner' }, layoutCsrfToken: 'x'.repeat(36) };

@Controller()
class BaselineController {
  @Get('catalog')
  catalog(@Res() res: Response) {
    res.render('courses/index', {
      ...layoutLocals,
      courses: cards,
      filters: { q: '', level: '', language: '' },
      levels: ['beginner', 'intermediate', 'advanced'].map((value) => ({ value, selected: false })),
      languages: ['en', 'ur'].map((value) => ({ value, selected: false })),
    });
  }

  @Get('course')
  coursePage(@Res() res: Response) {
    const modules = course.definition.modules.map((m, i) => ({ ...m, number: i + 1, done: i < 2, checks: [] }));
    res.render('courses/show', {
      ...signedIn,
      course: { ...course.definition, slug: course.slug, hours: Math.round((course.definition.estimatedMinutes / 60) * 10) / 10 },
      modules,
      finalQuiz: { slug: 'final', title: 'Final assessment', passMark: 70, passed: false, awaiting: false },
      finalPending: false,
      enrollment: { progressPercent: 17, completedAt: null },
      completed: false,
      nextModule: modules[2],
      csrfToken: 'x'.repeat(36),
    });
  }

  @Get('dashboard')
  dashboard(@Res() res: Response) {
    res.render('dashboard/index', {
      ...signedIn,
      certificatesSection: { certificates: [], news: [] },
      entries: courses.slice(0, 3).map((c, i) => ({
        course: { slug: c.slug, title: c.definition.title, language: c.definition.language },
        percent: 17 * i,
        completed: false,
        completedAt: null,
        resume: c.definition.modules[i] ?? c.definition.modules[0],
      })),
    });
  }

  @Get('lesson')
  lesson(@Res() res: Response) {
    res.render('lessons/show', {
      ...signedIn,
      course: { slug: course.slug, title: course.definition.title, language: course.definition.language },
      module: { ...lesson, bodyHtml: lessonHtml },
      position: 2,
      moduleCount: course.definition.modules.length,
      done: false,
      previous: course.definition.modules[0],
      next: course.definition.modules[2],
      checks: [],
      percent: 17,
      completed: false,
      csrfToken: 'x'.repeat(36),
    });
  }
}

@Module({ controllers: [BaselineController], providers: [I18nService] })
class BaselineModule {}

async function main() {
  const app = await NestFactory.create<NestExpressApplication>(BaselineModule, { logger: ['error'] });
  app.use(compression());
  configureViews(app, app.get(I18nService), { env: 'production' });
  await app.listen(Number(process.env.PORT ?? 3100));
  process.send?.('ready');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
