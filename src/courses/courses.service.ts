import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, In, IsNull } from 'typeorm';
import { SharedCacheService } from '../cache/shared-cache.service';
import { NotFoundError } from '../common/domain-error';
import { containsPattern, LIKE_ESCAPE } from '../common/like';
import { CourseDefinition } from './course-definition';
import { CourseModule } from './course-module.entity';
import { Course, COURSE_LEVELS, CourseStatus } from './course.entity';
import { renderMarkdown } from './markdown';

export interface CatalogFilters {
  q?: string;
  level?: string;
  language?: string;
}

export interface CatalogEntry {
  course: Course;
  moduleCount: number;
}

/** A lesson without its body: what outlines, navigation and progress need. */
export type LessonOutline = Omit<CourseModule, 'bodyMarkdown' | 'bodyHtml' | 'course'>;

export interface CourseWithModules {
  course: Course;
  modules: LessonOutline[];
}

const OUTLINE_COLUMNS = { id: true, courseId: true, slug: true, position: true, title: true, minutes: true, required: true, removedAt: true } as const;
const STRUCTURE_TTL_MS = 10 * 60 * 1000;

@Injectable()
export class CoursesService {
  /**
   * Published course structure (course rows and lesson outlines, never bodies) by slug and by
   * id, the catalog, and lesson bodies by lesson id, bounded in bytes. Every change to a
   * course goes through this service, which announces it (see SharedCacheService).
   */
  private readonly publishedBySlug;
  private readonly structureById;
  private readonly catalog;
  private readonly lessonBodies;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: SharedCacheService,
  ) {
    this.publishedBySlug = cache.create<CourseWithModules | null>('course-structure', { ttlMs: STRUCTURE_TTL_MS, maxEntries: 2000 });
    this.structureById = cache.create<CourseWithModules | null>('course-structure', { ttlMs: STRUCTURE_TTL_MS, maxEntries: 2000 });
    this.catalog = cache.create<CatalogEntry[]>('course-structure', { ttlMs: STRUCTURE_TTL_MS, maxEntries: 1 });
    this.lessonBodies = cache.create<string>('course-structure', {
      ttlMs: STRUCTURE_TTL_MS,
      maxEntries: 20_000,
      maxBytes: 16 * 1024 * 1024,
      sizeOf: (html) => html.length * 2,
    });
  }

  private get courses() {
    return this.dataSource.getRepository(Course);
  }

  private get modules() {
    return this.dataSource.getRepository(CourseModule);
  }

  /**
   * The catalog, filtered by level and language; a search term is matched by the database
   * (its collation decides case and accents), everything else comes from the cached list.
   */
  async listCatalog(filters: CatalogFilters = {}): Promise<CatalogEntry[]> {
    if (filters.q?.trim()) return this.queryCatalog(filters);
    const entries = await this.catalog.get('all', () => this.queryCatalog({}));
    return entries.filter(
      ({ course }) =>
        (!filters.level || !(COURSE_LEVELS as readonly string[]).includes(filters.level) || course.level === filters.level) &&
        (!filters.language || course.language === filters.language),
    );
  }

  private async queryCatalog(filters: CatalogFilters): Promise<CatalogEntry[]> {
    const query = this.courses.createQueryBuilder('course').where('course.status = :status', { status: 'published' });
    const term = filters.q?.trim();
    if (term) {
      const like = containsPattern(term);
      query.andWhere(new Brackets((where) => where.where(`course.title LIKE :like ${LIKE_ESCAPE}`, { like }).orWhere(`course.summary LIKE :like ${LIKE_ESCAPE}`, { like })));
    }
    if (filters.level && (COURSE_LEVELS as readonly string[]).includes(filters.level)) {
      query.andWhere('course.level = :level', { level: filters.level });
    }
    if (filters.language) query.andWhere('course.language = :language', { language: filters.language });
    const courses = await query.orderBy('course.title', 'ASC').getMany();
    if (courses.length === 0) return [];

    const counts: { courseId: number; count: string }[] = await this.modules
      .createQueryBuilder('module')
      .select('module.courseId', 'courseId')
      .addSelect('COUNT(*)', 'count')
      .where({ courseId: In(courses.map((c) => c.id)), removedAt: IsNull() })
      .groupBy('module.courseId')
      .getRawMany();
    const byCourse = new Map(counts.map((row) => [Number(row.courseId), Number(row.count)]));
    return courses.map((course) => ({ course, moduleCount: byCourse.get(course.id) ?? 0 }));
  }

  async getPublishedCourse(slug: string): Promise<CourseWithModules> {
    const found = await this.publishedBySlug.get(slug, async () => {
      const course = await this.courses.findOneBy({ slug, status: 'published' });
      return course ? { course, modules: await this.lessonOutlines([course.id]).then((m) => m.get(course.id) ?? []) } : null;
    });
    if (!found) throw new NotFoundError('errors.course_not_found');
    return found;
  }

  /** Courses (any status) with their live lesson outlines; two queries for whatever is not cached. */
  async structuresByIds(ids: number[]): Promise<Map<number, CourseWithModules>> {
    const found = await this.structureById.getMany(
      ids.map(String),
      async (missing) => {
        const courseIds = missing.map(Number);
        const [courses, outlines] = await Promise.all([this.courses.findBy({ id: In(courseIds) }), this.lessonOutlines(courseIds)]);
        const byId = new Map(courses.map((course) => [course.id, course]));
        return new Map(missing.map((key) => {
          const course = byId.get(Number(key));
          return [key, course ? { course, modules: outlines.get(course.id) ?? [] } : null];
        }));
      },
    );
    const result = new Map<number, CourseWithModules>();
    for (const [key, structure] of found) if (structure) result.set(Number(key), structure);
    return result;
  }

  /** The rendered, sanitized body of a lesson. */
  async lessonBody(moduleId: number): Promise<string> {
    return this.lessonBodies.get(String(moduleId), async () => {
      const row = await this.modules.findOne({ select: { id: true, bodyHtml: true }, where: { id: moduleId } });
      if (!row) throw new NotFoundError('errors.lesson_not_found');
      return row.bodyHtml;
    });
  }

  /** A course's live lesson outlines read inside the caller's transaction (never cached). */
  async liveLessonOutlines(manager: EntityManager, courseId: number): Promise<LessonOutline[]> {
    return (await this.lessonOutlines([courseId], manager)).get(courseId) ?? [];
  }

  private async lessonOutlines(courseIds: number[], manager: EntityManager = this.dataSource.manager): Promise<Map<number, LessonOutline[]>> {
    const byCourse = new Map<number, LessonOutline[]>(courseIds.map((id) => [id, []]));
    if (courseIds.length === 0) return byCourse;
    const rows = await manager.getRepository(CourseModule).find({
      select: OUTLINE_COLUMNS,
      where: { courseId: In(courseIds), removedAt: IsNull() },
      order: { courseId: 'ASC', position: 'ASC' },
    });
    for (const row of rows) byCourse.get(row.courseId)?.push(row);
    return byCourse;
  }

  activeModules(courseId: number, manager: EntityManager = this.dataSource.manager): Promise<CourseModule[]> {
    return manager.getRepository(CourseModule).find({ where: { courseId, removedAt: IsNull() }, order: { position: 'ASC' } });
  }

  findCourseBySlug(slug: string): Promise<Course | null> {
    return this.courses.findOneBy({ slug });
  }

  async findCoursesByIds(ids: number[]): Promise<Course[]> {
    return [...(await this.structuresByIds(ids)).values()].map((structure) => structure.course);
  }

  async listPublishedCourses(): Promise<Course[]> {
    return (await this.listCatalog()).map((entry) => entry.course);
  }

  findCourseById(id: number, manager: EntityManager = this.dataSource.manager): Promise<Course | null> {
    return manager.getRepository(Course).findOneBy({ id });
  }

  /** Every course, whatever its status (the authoring area of an administrator). */
  listAllCourses(): Promise<Course[]> {
    return this.courses.find({ order: { title: 'ASC' } });
  }

  /** A new course with no lessons yet, not in the catalog until it is published. */
  createDraftCourse(manager: EntityManager, definition: Omit<CourseDefinition, 'modules'>): Promise<Course> {
    const courses = manager.getRepository(Course);
    const now = new Date();
    this.cache.changed('course-structure', manager);
    return courses.save(courses.create({ ...definition, status: 'draft', contentHash: null, createdAt: now, updatedAt: now }));
  }

  /** Unpublish (back to draft) or archive: the course leaves the catalog; nothing else changes. */
  async setStatus(manager: EntityManager, courseId: number, status: CourseStatus): Promise<void> {
    await manager.getRepository(Course).update({ id: courseId }, { status, updatedAt: new Date() });
    this.cache.changed('course-structure', manager);
  }

  /** Records that content/ now holds exactly this course (after an export), so the importer skips it. */
  async setContentHash(manager: EntityManager, courseId: number, contentHash: string | null): Promise<void> {
    await manager.getRepository(Course).update({ id: courseId }, { contentHash });
    this.cache.changed('course-structure', manager);
  }

  /**
   * Writes a course and its modules from a definition inside the caller's transaction.
   * Modules are matched by slug, so a learner's progress survives edits; a module missing from
   * the definition is marked removed (it stops counting towards completion), never deleted.
   */
  async saveCourseDefinition(manager: EntityManager, definition: CourseDefinition, contentHash: string | null): Promise<Course> {
    const courses = manager.getRepository(Course);
    const modules = manager.getRepository(CourseModule);
    const now = new Date();
    let course = await courses.findOneBy({ slug: definition.slug });
    course = courses.merge(course ?? courses.create({ createdAt: now }), {
      slug: definition.slug,
      title: definition.title,
      summary: definition.summary,
      language: definition.language,
      level: definition.level,
      estimatedMinutes: definition.estimatedMinutes,
      outcomes: definition.outcomes,
      coverImage: definition.coverImage ?? null,
      status: 'published',
      contentHash,
      updatedAt: now,
    });
    course = await courses.save(course);

    const existing = new Map((await modules.findBy({ courseId: course.id })).map((m) => [m.slug, m]));
    const kept = new Set<string>();
    for (const [index, def] of definition.modules.entries()) {
      kept.add(def.slug);
      const module = modules.merge(existing.get(def.slug) ?? modules.create({ courseId: course.id, slug: def.slug }), {
        position: index + 1,
        title: def.title,
        minutes: def.minutes,
        required: def.required,
        removedAt: null,
        bodyMarkdown: def.bodyMarkdown,
        bodyHtml: renderMarkdown(def.bodyMarkdown),
      });
      await modules.save(module);
    }
    for (const module of existing.values()) {
      if (!kept.has(module.slug) && !module.removedAt) await modules.update({ id: module.id }, { removedAt: now });
    }
    this.cache.changed('course-structure', manager);
    return course;
  }
}
