import { Controller, Get, Query, Render } from '@nestjs/common';
import { Public } from '../auth/roles.decorator';
import { storedImageTag } from '../common/image-info';
import { COURSE_LEVELS } from './course.entity';
import { CoursesService } from './courses.service';

@Controller()
export class CatalogController {
  constructor(private readonly courses: CoursesService) {}

  @Public()
  @Get()
  @Render('home')
  async home() {
    const entries = await this.courses.listCatalog();
    return { courses: entries.slice(0, 6).map(toCard), courseCount: entries.length };
  }

  @Public()
  @Get('courses')
  @Render('courses/index')
  async catalog(@Query('q') q?: string, @Query('level') level?: string, @Query('language') language?: string) {
    const filters = { q: typeof q === 'string' ? q.slice(0, 100) : '', level: String(level ?? ''), language: String(language ?? '') };
    const entries = await this.courses.listCatalog(filters);
    return {
      courses: entries.map(toCard),
      filters,
      levels: COURSE_LEVELS.map((value) => ({ value, selected: value === filters.level })),
      languages: ['en', 'ur'].map((value) => ({ value, selected: value === filters.language })),
      filtered: !!(filters.q || filters.level || filters.language),
    };
  }
}

function toCard({ course, moduleCount }: Awaited<ReturnType<CoursesService['listCatalog']>>[number]) {
  return {
    slug: course.slug,
    title: course.title,
    summary: course.summary,
    level: course.level,
    language: course.language,
    hours: Math.round((course.estimatedMinutes / 60) * 10) / 10,
    moduleCount,
    cover: storedImageTag(course.coverImage),
  };
}
